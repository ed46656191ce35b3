"""Sentence spans with offsets, normalization and tokenization shared by every stage."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

# Words that end with a period without ending a sentence ("Maj. Gen. Bagheri", "Nov. 21").
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen maj lt col capt cmdr adm sgt brig st mt no nos vs etc inc ltd
    co corp jr sr jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.g i.e
    al fig approx dept est gov sen rep rev pres""".split()
)
_SENTENCE_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s)|\n\s*\n|\n(?=\s*[-•*]\s)""")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-", "\u00a0": " "}
)

STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been
    being do does did has have had having it its this that these those there their they
    them he she his her him i we you your our us me my what which who whom whose when
    where why how will would shall should can could may might must not no nor so than
    too very s t just about into over after before during between under again further
    then once here all any both each few more most other some such only own same up down
    out off above below also tell said says say""".split()
)


def normalize(text: str) -> str:
    """Unicode-normalized, case-folded, whitespace-collapsed text for comparisons."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())


def one_case(text: str) -> bool:
    """Its letters are all lower case or all upper case ("who did bagheri meet?", "WHO
    DID BAGHERI MEET?"): its capitals say nothing about which words are names."""
    letters = [ch for ch in text if ch.isalpha() and ch.lower() != ch.upper()]
    return bool(letters) and (all(ch.islower() for ch in letters)
                              or all(ch.isupper() for ch in letters))


def recase(question: str, texts: Iterable[str]) -> str:
    """`question` with each word written as `texts` mostly write it ("bagheri" ->
    "Bagheri", "csto" -> "CSTO", "MEET" -> "meet"; lower case when they write it so as
    often, not at all, or it is a stopword) and a capital first letter: for a question
    typed in one case, whose names the rules that read capitals would otherwise miss or
    see everywhere."""
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for word in _WORD.findall(text):
            forms.setdefault(word.casefold(), Counter())[word] += 1

    def written(match: re.Match[str]) -> str:
        word = match.group()
        seen = forms.get(word.casefold())
        lower = word.lower()
        if not seen or lower in STOPWORDS:  # "Who" opening a sentence is still "who"
            return lower
        form, count = seen.most_common(1)[0]
        return lower if seen.get(lower, 0) >= count else form

    cased = _WORD.sub(written, question)
    first = next((i for i, ch in enumerate(cased) if ch.isalpha()), None)
    return cased if first is None else cased[:first] + cased[first].upper() + cased[first + 1:]


def words(text: str) -> list[str]:
    """Word tokens of normalized text."""
    return _WORD.findall(normalize(text))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: C extension, imports in milliseconds

    return Stemmer.Stemmer("english")


def stem(tokens: list[str]) -> list[str]:
    return list(_stemmer().stemWords(tokens))


# Irregular past forms the stemmer leaves apart from their present ("met" vs "meet").
_IRREGULAR = {
    "met": "meet",
    "held": "hold",
    "took": "take",
    "taken": "take",
    "made": "make",
    "gave": "give",
    "given": "give",
    "went": "go",
    "gone": "go",
    "came": "come",
    "told": "tell",
    "won": "win",
    "led": "lead",
    "left": "leave",
    "saw": "see",
    "seen": "see",
    "sent": "send",
    "spoke": "speak",
    "spoken": "speak",
    "began": "begin",
    "begun": "begin",
    "bought": "buy",
    "brought": "bring",
    "built": "build",
    "chose": "choose",
    "chosen": "choose",
    "fought": "fight",
    "found": "find",
    "flew": "fly",
    "grew": "grow",
    "grown": "grow",
    "kept": "keep",
    "knew": "know",
    "known": "know",
    "laid": "lay",
    "lost": "lose",
    "paid": "pay",
    "ran": "run",
    "rose": "rise",
    "risen": "rise",
    "sold": "sell",
    "stood": "stand",
    "struck": "strike",
    "thought": "think",
    "wrote": "write",
    "written": "write",
    "signed": "sign",
    "arrived": "arrive",
    "troops": "troop",
}


def content_terms(text: str) -> list[str]:
    """Stemmed non-stopword tokens: what a question is about."""
    return stem([_IRREGULAR.get(w, w) for w in words(text) if w not in STOPWORDS])


def _ends_with_abbreviation(text: str, end: int) -> bool:
    """Does the period at `text[end-1]` close an abbreviation or an initial?"""
    start = end - 1
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'“":
        start -= 1
    token = text[start : end - 1].rstrip(".").casefold()
    if not token:
        return False
    if token in _ABBREVIATIONS:
        return True
    # A single capital letter ("J. Smith") or dotted initials ("U.S.").
    return len(token) == 1 and token.isalpha() or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", token))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        cut = match.end()
        if (
            text[match.start()] == "."
            and match.group().strip() == "."
            and _ends_with_abbreviation(text, match.start() + 1)
        ):
            continue
        nxt = text[cut:end].lstrip()
        # A sentence goes on when the next word starts lower-case ("e.g. this", "5 p.m. on").
        if nxt and nxt[0].islower() and "\n" not in text[match.start() : cut]:
            continue
        yield from _trimmed_lines(text, cursor, cut)
        cursor = cut
    yield from _trimmed_lines(text, cursor, end)


def _trimmed_lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split at single newlines too (headlines, list items), dropping empty pieces."""
    for piece in re.finditer(r"[^\n]+", text[start:end]):
        s = start + piece.start()
        e = start + piece.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and any(ch.isalnum() for ch in text[s:e]):
            yield s, e


# "TEHRAN (Tasnim) –", "Moscow (IP):", "TEHRAN, Nov. 21 (DID) –", "Iran PressEurope:".
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z]+(?:[ -][A-Z][A-Za-z]+)?)(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*(?:\((?P<agency>[^)]{1,30})\))?\s*[:–—-]\s"
)
# The outlet's credit opening a report with no place ("(CNN) The 74th Emmy Awards...") and
# the site's name after a page title ("... referendum | CNN").
_LEAD_CREDIT = re.compile(r"^\((?P<agency>[^()]{1,30})\)\s")
_TITLE_SITE = re.compile(r"\s\|\s(?P<site>[^|.!?]{1,40})$")


def credit_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` (one sentence) names its publisher, never what it says: the agency of
    an opening credit or dateline ("TEHRAN (Tasnim) –"), a page title's site name."""
    out = []
    opening = _LEAD_CREDIT.match(text) or DATELINE.match(text)
    if opening and opening.group("agency"):
        out.append(opening.span("agency"))
    site = _TITLE_SITE.search(text.rstrip())
    if site:
        out.append(site.span("site"))
    return out
