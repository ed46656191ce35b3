"""What kind of thing a question asks for, and whether a sentence holds one.

A sentence "holds" the asked type only with something new: a name, date or number that
the question itself does not already contain. This is what separates "Who did X meet?"
answered by "X met Y" from a sentence that merely repeats the question's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from newsdesk.nlp.dates import MONTHS, WEEKDAYS, bare_weekdays, find_dates
from newsdesk.nlp.text import STOPWORDS, normalize, stem, words

_PERSON_NOUNS = (
    r"general|minister|commander|official|officer|chief|leader|president|person|"
    r"man|woman|spokesman|spokesperson|head|ambassador|envoy|counterpart|author|"
    r"player|coach|ceo|founder|winner|director|actor|singer|king|queen|prince"
)
_MEASURES = (
    r"range|size|population|number|cost|value|price|height|length|distance|speed|"
    r"capacity|budget|toll|age|amount|total|worth|weight|score|percentage|rate|revenue|"
    r"profit|sales|income|earnings|salary|fee|gdp|attendance"
)
QTYPES = [
    (
        "date",
        re.compile(
            r"^(when|what (date|day|year|month|time)|which (date|day|year|month)|"
            r"on what (date|day)|in what (year|month)|since when)\b"
            r"|\b(what|which) (date|day|year|month)\b|^when\b"
            r"|\b(release|premiere|launch|opening|start|end|due|expiry|birth) date\b"
            r"|\bthe date (of|for|when)\b"
        ),
    ),
    (
        "number",
        re.compile(
            r"\bhow (many|much|long|old|far|big|large|tall|high)\b"
            r"|\bwhat (number|percentage|share)\b"
            rf"|\bwhat (is|was|were|are) (the |[\w-]+['’]s )((\w+ ){{0,2}})({_MEASURES})\b"
        ),
    ),
    (
        "name",
        re.compile(
            r"\b(which|what) ((\w+ ){0,3})(model|brand|make|version)\b"
            r"|\b(first|full|last) name\b"
        ),
    ),
    (
        "person",
        re.compile(
            rf"^(who|whom|whose)\b|\b(which|what) ((\w+ ){{0,2}})({_PERSON_NOUNS})s?\b"
            # "At whose invitation ...?", "For whom ...?"; not "the company whose shares"
            r"|\b(at|by|for|from|to|with|of|on|in|under|after) (whom|whose)\b|\bwho\b"
        ),
    ),
    (
        "place",
        re.compile(
            r"^where\b|\b(which|what) ((\w+ ){0,2})(city|country|countries|place|"
            r"town|region|venue|location|state|nation)\b|\bwhere\b"
            r"|\bname (a|the) (country|city|place|region)\b|\blocation\b"
        ),
    ),
]
_NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
    forty fifty hundred thousand million billion trillion dozen dozens hundreds
    thousands millions billions half""".split()
)
_RELATIVE_DATE = re.compile(
    r"\b(the (day|week|month|year) (after|before)|the (next|following|previous) (day|week|month|"
    r"year)|(yesterday|today|tomorrow|tonight)|(last|this|next) (week|month|year)|\d+ (days|weeks|"
    r"months|years) (ago|later|earlier)|earlier this (week|month|year)|in (early|mid|late)[- ]"
    r"(19|20)\d{2}|(19|20)\d{2})\b",
    re.IGNORECASE,
)
_CAPITALIZED = re.compile(r"\b[A-Z][\w’'-]*[\w]|\b[A-Z]{2,}\b|\b[A-Z]+-?\d+\w*\b")
ORG_WORDS = frozenset(
    """staff forces force army navy ministry organization organisation council committee
    agency court union network guard corps company bank university party government news
    press park forum garden wall sea corridor republic federation nations treaty
    security resolution embassy department office state states kingdom group association
    league club team tournament championship championships cup open games award awards
    trophy prize festival election""".split()
)
_DATE_WORDS = frozenset(WEEKDAYS) | frozenset(MONTHS)


# A question that opens with an auxiliary verb and asks no wh-word ("Did Shoigu visit
# Tehran?", "Is the embargo over?") is answered yes or no: no name, date or number cut
# from an article answers it, the sentences do. "May" and "Will" before a capitalized
# word or a number are a month or a name ("May 2023 events?", "Will Smith's film?").
_YES_OR_NO = re.compile(
    r"^(?:(?:and|but|so|also|then|now|ok|okay|well)\s*,?\s+)?"
    r"(?:(?:do|does|did|is|are|was|were|am|has|have|had|can|could|would|should|shall|"
    r"might|must)(?:n['’]?t)?|(?:may|will)(?!\s+(?-i:[A-Z0-9]))|won['’]t)\s", re.IGNORECASE)
_WH_WORD = re.compile(r"\b(?:who|whom|whose|what|which|when|where|why|how)\b", re.IGNORECASE)


def asks_yes_or_no(question: str) -> bool:
    """The question is answered yes or no (`_YES_OR_NO`): it asks no wh-word and for no
    kind of answer (`question_type`: "Is the number of ... known?" asks for a number)."""
    q = question.strip()
    return (bool(_YES_OR_NO.match(q)) and not _WH_WORD.search(q)
            and question_type(q) is None)


_WHO_IS = re.compile(r"^\s*who\s+(?:is|was|are|were)\s+(?P<name>[^?]+?)\s*\??\s*$",
                     re.IGNORECASE)
_POSSESSIVE = re.compile(r"\w['’]s\b|s['’](?!\w)")  # "Twitter's", "Reuters'"; not "O'Brien"
_OFFICE = re.compile(rf"(?:{_PERSON_NOUNS})s?", re.IGNORECASE)


def asks_who_is(question: str) -> bool:
    """The question asks who a person it names is ("Who is Sergei Shoigu?"): the answer is
    what the sentences say of them (an office, a role), not another name. Only a name
    follows "who is": every word capitalized ("Who is the new prime minister?" asks for
    a person), and it is no office ("Who is Twitter's CEO?", "Who is UK Prime
    Minister?" ask for the person holding it; "Who is President Biden?" does not)."""
    match = _WHO_IS.match(question)
    if match is None:
        return False
    name = match.group("name").split()
    return (all(w[:1].isupper() for w in name) and not _POSSESSIVE.search(match.group("name"))
            and not _OFFICE.fullmatch(name[-1]))


_ACCOUNT = re.compile(
    r"^\s*(?:please\s+|can you\s+|could you\s+)?(?:tell me (?:about|more)|describe|explain|"
    r"summari[sz]e|give (?:me )?an? (?:overview|summary|account)|what do(?:es)? (?:the )?"
    r"(?:articles?|reports?|sources?|news) say)\b", re.IGNORECASE)


def asks_for_an_account(question: str) -> bool:
    """A request for what the articles say of something ("Tell me about the Ababil
    missile", "Describe the visit"), not for one name, date or number."""
    return bool(_ACCOUNT.match(question))


def wants_a_value(question: str) -> bool:
    """Whether a short answer (a name, date, number or phrase cut from a sentence) can
    answer the question: not a yes-or-no question, who a named person is, or a request
    for an account; the sentences answer those."""
    return not (asks_yes_or_no(question) or asks_who_is(question)
                or asks_for_an_account(question))


def question_type(question: str) -> str | None:
    """One of date, number, name, person, place; None when any answer shape will do."""
    q = normalize(question)
    for name, pattern in QTYPES:
        if pattern.search(q):
            return name
    return None


def _new(tokens: list[str], asked: set[str]) -> bool:
    return bool(set(stem([normalize(t) for t in tokens])) - asked)


def entities(sentence: str) -> list[list[str]]:
    """Runs of capitalized words (a crude named-entity finder), without dates and stopwords."""
    return [tokens for _, _, tokens in entity_spans(sentence)]


def entity_spans(sentence: str) -> list[tuple[int, int, list[str]]]:
    """`entities` with where each run starts and ends in the sentence."""
    runs: list[tuple[int, int, list[str]]] = []
    current: list[str] = []
    first = last_end = -2
    for m in _CAPITALIZED.finditer(sentence):
        token = m.group()
        low = token.lower().strip("’'")
        if low in _DATE_WORDS or (m.start() == 0 and low in STOPWORDS) or low in STOPWORDS:
            if current:
                runs.append((first, last_end, current))
            current, last_end = [], -2
            continue
        gap = sentence[last_end : m.start()]
        if current and gap.strip() in ("", "of", "of the", "al-", "bin", "de", "von", "van"):
            current.append(token)
        else:
            if current:
                runs.append((first, last_end, current))
            current, first = [token], m.start()
        last_end = m.end()
    if current:
        runs.append((first, last_end, current))
    return runs


def common_words(texts: Sequence[str]) -> frozenset[str]:
    """Words the texts also write in lower case: "Meet" or "Commissioners" capitalized at a
    sentence start or in a headline is not a name when the same texts say "meet" and
    "commissioners" elsewhere; "Goodell" is never written so. (Kept for the last few
    passage sets: scoring a question and picking its short answer both ask.)"""
    return _common_words(tuple(texts))


@lru_cache(maxsize=32)
def _common_words(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem([w for t in texts for w in re.findall(r"(?<![\w'’-])[a-z][a-z'’-]*", t)]))


def _new_name(run: list[str], asked: set[str], common: frozenset[str]) -> bool:
    """The run has a word the question lacks that reads as a name (or an acronym)."""
    for t in run:
        key = stem([normalize(t)])[0]
        if key not in asked and (t.isupper() and len(t) > 1 or key not in common):
            return True
    return False


def type_strength(qtype: str | None, sentence: str, question: str, resolvable: bool,
                  common: frozenset[str] = frozenset()) -> float:
    """1.0 when the sentence holds a new thing of the asked type; lower for weaker evidence.
    `common` (see `common_words`) keeps capitalized ordinary words from passing as names."""
    if qtype is None:
        return 1.0
    asked = set(stem(words(question)))
    if qtype == "date":
        return _date_strength(sentence, asked, resolvable)
    if qtype == "number":
        return _number_strength(question, sentence)
    runs = [r for r in entities(sentence) if _new_name(r, asked, common)]
    if qtype == "person":
        if not _has_role(question, sentence):
            return 0.0
        people = [r for r in runs if not {t.lower() for t in r} & ORG_WORDS]
        if _title_case(sentence):
            return 0.7 if runs else 0.0  # a headline: capitals say nothing about names
        if any(len(r) >= 2 for r in people):
            return 1.0  # a full name
        return 0.85 if people else (0.7 if runs else 0.0)
    if qtype == "name":
        return _name_strength(question, sentence, runs)
    if runs:
        return 1.0  # place
    # "at the Iranian embassy": a place need not be a proper name.
    spots = re.findall(
        r"\b(?:at|in|inside|outside|near)\s+the\s+((?:[\w-]+\s+){0,2}[\w-]+)", sentence
    )
    return 0.7 if any(set(stem(words(x))) - asked for x in spots) else 0.0


_DURATION = re.compile(r"-(second|minute|hour|day|week|month|year)s?$")


def _title_case(sentence: str) -> bool:
    """Most words capitalized, as in a headline or a menu ("NFL Commissioners and Presidents")."""
    tokens = [t for t in re.findall(r"[A-Za-z][\w'’-]*", sentence) if t.lower() not in STOPWORDS]
    return len(tokens) >= 5 and sum(t[0].isupper() for t in tokens) / len(tokens) > 0.8


def _numbers(sentence: str, durations: bool = True) -> set[str]:
    """Counts and amounts: "4,000", "3.5", "three", "three-day"; not dates or names (Army-2023)."""
    spans = [(d.start, d.end) for d in find_dates(sentence)]
    found: set[str] = set()
    for m in re.finditer(r"(?<![\w-])\d[\d,.]*(?![\w-]*[A-Za-z])|\b[a-z]+(?:-[a-z]+)*\b", sentence):
        if any(s <= m.start() < e for s, e in spans):
            continue
        token = m.group().lower()
        if not durations and _DURATION.search(token):
            continue
        if token[0].isdigit() or set(token.split("-")) & _NUMBER_WORDS:
            found.add(token.rstrip(".,"))
    return found


_HOW_MANY = re.compile(
    r"\bhow many\s+(?:[\w-]+\s+){0,2}?(?P<noun>[\w-]+)\s+(?:did|do|does|were|"
    r"was|are|is|have|has|had|will|would|took|take)\b",
    re.IGNORECASE,
)


def _number_strength(question: str, sentence: str) -> float:
    """Digits count fully; a number word ("the two countries") only when it counts the
    thing asked about ("how many countries")."""
    durations = bool(re.search(r"\bhow (long|old)\b", question, re.IGNORECASE))
    found = _numbers(sentence, durations) - set(words(question))
    if any(t[0].isdigit() for t in found):
        return 1.0
    if not found:
        return 0.0
    m = _HOW_MANY.search(question)
    if not m:
        return 1.0
    noun = stem([m.group("noun").lower()])[0]
    tokens = words(sentence)
    for i, t in enumerate(tokens):
        counted = t in found or set(t.split("-")) & _NUMBER_WORDS
        if counted and noun in stem(tokens[i + 1 : i + 4]):
            return 1.0
    return 0.5


_ROLE = re.compile(
    r"^who (?:is|was|are|were) (?:the )?(?:new |current |former )?"
    r"(?:(?P<owner>[\w-]+)['’]s )?(?P<rest>.+?)\??$",
    re.IGNORECASE,
)
# A role the sentence states as a verb: "the 2012 Heisman winner" / "Manziel won the Heisman".
_ROLE_VERBS = {stem([k])[0]: set(stem(v.split())) for k, v in {
    "winner": "win wins won winning champion", "champion": "win wins won winning winner"}.items()}
_GENERIC_MODIFIERS = frozenset(stem("lead leading main top current new former senior".split()))
_PREPOSITION = re.compile(r"\s+(?:of|in|at|for|on|from|during)\s+", re.IGNORECASE)
_YEARISH = re.compile(r"^(?:the )?(?:year )?(?:19|20)\d{2}$|^\d+$")


def _has_role(question: str, sentence: str) -> bool:
    """'Who is Russia's foreign minister?' needs 'minister' and 'Russia' in the sentence;
    'Who is the CEO of Nintendo in 2021?' needs 'CEO' and 'Nintendo' (years are checked
    elsewhere); the role's last word may match by a 5-letter prefix ("director"/"directed")."""
    m = _ROLE.match(question.strip())
    if not m:
        return True
    parts = _PREPOSITION.split(m.group("rest"))
    role = stem(words(parts[0]))
    if not role or len(role) > 4:
        return True  # not a "who is the <role>" question
    owners = [m.group("owner")] if m.group("owner") else []
    owners += [p for p in parts[1:2] if not _YEARISH.match(p.strip())]
    text = set(stem(words(sentence)))
    needed = [r for r in role[:-1] if r not in _GENERIC_MODIFIERS] + role[-1:]
    for word in needed:  # "foreign minister" is not "defense minister"
        forms = {word} | _ROLE_VERBS.get(word, set())
        if not any(t in forms or (len(word) >= 5 and t[:5] == word[:5]) for t in text):
            return False
    return all(set(stem(words(o))) & text for o in owners)


def _date_strength(sentence: str, asked: set[str], resolvable: bool) -> float:
    full = [d for d in find_dates(sentence) if _new(words(sentence[d.start : d.end]), asked)]
    if any(d.date is not None for d in full):
        return 1.0  # a calendar date with its year
    if full:
        return 0.9  # "November 17": the year may come from the article's date
    if bare_weekdays(sentence):
        return 0.95 if resolvable else 0.7
    if _RELATIVE_DATE.search(sentence):
        return 0.8
    month = re.search(
        r"\b(January|February|March|April|May|June|July|August|September|"
        r"October|November|December)\b",
        sentence,
    )
    return 0.85 if month and month.group().lower() not in asked else 0.0


def _name_strength(question: str, sentence: str, runs: list[list[str]]) -> float:
    """'First name of Heidari' needs a capitalized word right before Heidari in the sentence;
    'which jet model' needs a name or code next to 'jet'."""
    m = re.search(r"\b(first|full) name of (?:the )?(?:[\w-]+ ){0,4}?([A-Z][\w-]+)\??$", question)
    if m:
        return 1.0 if re.search(rf"\b[A-Z][\w-]+\s+{re.escape(m.group(2))}\b", sentence) else 0.0
    m = re.search(r"\b(\w+)\s+(?:model|brand|make|version)\b", question, re.IGNORECASE)
    if m:
        head = stem([m.group(1).lower()])[0]
        tokens = re.findall(r"[\w-]+", sentence)
        for i, token in enumerate(tokens):
            if stem([token.lower()])[0] == head:
                near = tokens[max(0, i - 3) : i] + tokens[i + 1 : i + 4]
                if any(t[0].isupper() or any(c.isdigit() for c in t) for t in near):
                    return 1.0
        return 0.0
    return 1.0 if runs else 0.0
