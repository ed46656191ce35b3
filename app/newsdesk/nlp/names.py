"""One name per person: spelling variants of a person's or organisation's name.

News outlets transliterate names differently ("Bagheri"/"Baqeri", "Shoigu"/"Shoygu",
"Sergei"/"Sergey") and write them with or without titles and first names ("Major General
Mohammad Hossein Bagheri", "Bagheri"). Two words are one name when their transliteration
skeletons (`skeleton`) are equal, or differ by a few cheap edits: a vowel for a related
vowel, a dropped vowel or "h", a consonant for one written alike across alphabets; the
number of edits allowed grows with the length of the word (`_BOUNDS`), and any other
edit (a consonant added, dropped or changed) rules the pair out, as does another first
sound or last letter. Short words must agree exactly, which keeps "Iran" and "Iraq"
apart; "Putin" and "Pushkin", "Austria" and "Australia" differ by consonants.

The rules are general (they name no corpus's names). Read against the capitalised words
of `rtqa_train` that its articles never write in lower case (18,095), they pair 1,682
words; in a random sample of 60 pairs about two in three are one name spelled two ways
(Hasan/Hassan, Irina/Iryna, Conrad/Konrad, Mendes/Mendez), the rest close names of
different people (Sharman/Sherman, Laurie/Lurie): a retrieval aid, not an identity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Ranks, offices and honorifics written before a name. They say who someone is, not
# which one: "Defence Minister Sergei Shoigu" is "Sergei Shoigu".
TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir dame lord lady president vice prime minister
    ministers secretary general gen major maj lieutenant lt colonel col brigadier brig
    admiral adm commander cmdr captain capt sergeant sgt marshal field chief deputy
    acting former late incumbent king queen prince princess emperor sheikh shaikh ayatollah
    grand imam pope cardinal bishop rev reverend father senator sen representative rep
    congressman congresswoman governor gov mayor judge justice ambassador envoy chairman
    chairwoman chair chancellor speaker spokesman spokeswoman spokesperson head director
    ceo founder coach""".split()
)
# Particles inside names ("Bashar al-Assad", "Ursula von der Leyen"): skipped when
# comparing, since outlets drop or keep them.
PARTICLES = frozenset("al el ul bin ibn bint ben abu de da di del der den van von la le of the and"
                      .split())

# Digraphs and letters that different romanisations write for one sound, rewritten in
# order: Persian/Arabic q, gh and k; kh and h; Russian y/i; French ou/u; ph/f; dh/d.
_REWRITES = (
    ("kh", "h"), ("gh", "g"), ("dh", "d"), ("ph", "f"), ("ck", "k"), ("q", "k"),
    ("ou", "u"), ("oo", "u"), ("ee", "i"), ("y", "i"),
)
_VOWELS = frozenset("aeiou")
# Vowels that transliterations swap (Mohammad/Mohammed, Hossein/Hussein, Dmitri/Dmitry):
# a swap inside a pair costs one edit; a/o or i/u changes the name ("Jones"/"Janes").
_NEAR_VOWELS = frozenset({("a", "e"), ("e", "a"), ("e", "i"), ("i", "e"), ("o", "u"), ("u", "o")})
# Consonants that romanisations of one letter differ on: g/k (Persian q), s/z, c/k.
_NEAR_CONSONANTS = frozenset({("g", "k"), ("k", "g"), ("s", "z"), ("z", "s"), ("c", "k"),
                              ("k", "c")})
# Cheap edits allowed by the shorter skeleton's length: none up to 4 letters ("Ali"/"Aly"
# are one skeleton; "Gary"/"Gery" are two names), one up to 7, two from 8 (long names
# vary more, and fewer other names lie that close). Any other edit costs more than that.
_BOUNDS = ((4, 0), (7, 1))
_LONG_BOUND = 2
_HARD = _LONG_BOUND + 1
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")  # "COVID-19" and "al-Assad" are one word


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """The word's transliteration skeleton: no accents, case or doubled letters, and one
    spelling for sounds romanisations write differently ("Baqeri" -> "bakeri")."""
    text = unicodedata.normalize("NFKD", word.casefold()).replace("’", "'")
    text = "".join(ch for ch in text if (ch.isalpha() or ch == "-")
                   and not unicodedata.combining(ch))
    text = text.replace("ß", "ss")
    for old, new in _REWRITES:
        text = text.replace(old, new)
    out: list[str] = []
    for ch in text:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=65536)
def consonant_key(word: str) -> str:
    """The skeleton without vowels and "h", near consonants merged: words that can be
    one name share it (used to find candidates before the exact comparison)."""
    key = skeleton(word).translate(_KEY_TABLE)
    out: list[str] = []
    for ch in key:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


_KEY_TABLE = str.maketrans({"a": None, "e": None, "i": None, "o": None, "u": None, "h": None,
                            "g": "k", "c": "k", "z": "s"})


def _cost(a: str, b: str) -> int:
    """The cost of writing letter a where the other spelling has b (0 when equal)."""
    if a == b:
        return 0
    if (a, b) in _NEAR_VOWELS or (a, b) in _NEAR_CONSONANTS:
        return 1
    return _HARD


def _gap(ch: str) -> int:
    """The cost of a letter one spelling has and the other lacks."""
    return 1 if ch in _VOWELS or ch == "h" else _HARD


def _distance(a: str, b: str, limit: int) -> int:
    """Weighted edit distance between skeletons, stopping early above `limit`."""
    previous = [0]
    for ch in b:
        previous.append(previous[-1] + _gap(ch))
    for ca in a:
        current = [previous[0] + _gap(ca)]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + _gap(ca), current[j - 1] + _gap(cb),
                               previous[j - 1] + _cost(ca, cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _acronym(word: str) -> bool:
    """All capitals: an acronym or a numeral ("NATO", "XIII"), spelled one way."""
    return len(word) > 1 and word.isupper()


def _same_ending(a: str, b: str) -> bool:
    """A last vowel marks another name ("Martin"/"Martina", "Nikola"/"Nikole"); a last
    consonant may be written alike ("Mendes"/"Mendez")."""
    return a == b or a not in _VOWELS and b not in _VOWELS and _cost(a, b) == 1


def _bound(length: int) -> int:
    for most, edits in _BOUNDS:
        if length <= most:
            return edits
    return _LONG_BOUND


@lru_cache(maxsize=65536)
def same_word(a: str, b: str) -> bool:
    """Two words (one each) are spellings of one name: "Shoigu"/"Shoygu", not "Iran"/"Iraq"."""
    if any(ch.isdigit() for ch in a + b) or _acronym(a) or _acronym(b):
        return a.casefold() == b.casefold()  # "COVID-19" is not "COVID", "XIII" not "Xi"
    sa, sb = skeleton(a), skeleton(b)
    if sa == sb:
        return bool(sa)
    if not sa or not sb or _cost(sa[0], sb[0]) > 1 or not _same_ending(sa[-1], sb[-1]):
        return False  # names keep their first and last sounds
    limit = _bound(min(len(sa), len(sb)))
    return limit > 0 and abs(len(sa) - len(sb)) <= limit and _distance(sa, sb, limit) <= limit


def name_words(name: str) -> list[str]:
    """The words that tell the name apart: titles before it and particles dropped
    ("Major General Mohammad Hossein Bagheri" -> Mohammad, Hossein, Bagheri)."""
    tokens = [_unprefixed(t) for t in _WORD.findall(re.sub(r"['’]s\b", "", name))]
    tokens = [t for t in tokens if t.casefold() not in PARTICLES]
    start = 0
    for i, token in enumerate(tokens[:-1]):
        if token.casefold() in TITLES:
            start = i + 1
    return tokens[start:]


def _unprefixed(token: str) -> str:
    """"al-Assad" -> "Assad": a particle joined by a hyphen is still a particle."""
    parts = token.split("-")
    while len(parts) > 1 and parts[0].casefold() in PARTICLES:
        parts.pop(0)
    return "-".join(parts)


def same_name(a: str, b: str) -> bool:
    """Two mentions name one person or organisation: "Bagheri" ~ "Baqeri" ~ "Major General
    Mohammad Hossein Bagheri"; "Sergei Shoigu" ~ "Shoygu"; not "Mohammad Bagheri" ~ "Ali
    Bagheri", "Iran" ~ "Iraq" or "United States" ~ "United Kingdom".

    Equally long names match word for word; a one-word mention matches a longer name's
    last word (a surname); otherwise the last words must match and the shorter name's
    first word must be one of the longer name's ("Mohammad Bagheri" in "... Armed Forces
    Mohammad Hossein Bagheri")."""
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb:
        return False
    if len(wa) == len(wb):
        return all(same_word(x, y) for x, y in zip(wa, wb, strict=True))
    short, long = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if not same_word(short[-1], long[-1]):
        return False
    return len(short) == 1 or any(same_word(short[0], w) for w in long[:-1])


def name_clusters(names: Iterable[str]) -> list[list[str]]:
    """Mentions grouped by the name they spell, in first-seen order.

    Longer names are grouped first, each joining the first group whose every member it
    matches (no chains: "Mohammad Bagheri" and "Ali Bagheri" stay apart). A one-word
    mention then joins the one group it matches; when it matches several ("Bagheri"
    after both of those) it is ambiguous and stays with its own spellings.
    """
    unique = list(dict.fromkeys(n for n in names if name_words(n)))
    order = {n: i for i, n in enumerate(unique)}
    groups: list[list[str]] = []
    singles = [n for n in unique if len(name_words(n)) == 1]
    for name in [n for n in unique if len(name_words(n)) > 1] + singles:
        fits = [g for g in groups if all(same_name(name, m) for m in g)]
        if name in singles:
            full = [g for g in fits if any(len(name_words(m)) > 1 for m in g)]
            fits = full if len(full) == 1 else [g for g in fits if g not in full]
        if fits:
            fits[0].append(name)
        else:
            groups.append([name])
    for g in groups:
        g.sort(key=order.__getitem__)
    return sorted(groups, key=lambda g: order[g[0]])


class VariantIndex:
    """The words of a vocabulary by consonant key, to find a word's other spellings in it
    without comparing it with every word (a corpus has tens of thousands). Give it names
    (words the corpus never writes in lower case): English words sit closer together
    ("Most"/"Must") than spellings of one name do."""

    def __init__(self, vocabulary: Iterable[str]):
        self._by_key: dict[str, list[str]] = {}
        for word in vocabulary:
            for key in _keys(word):
                self._by_key.setdefault(key, []).append(word)

    def variants(self, word: str) -> list[str]:
        """Other spellings of `word` in the vocabulary (the word itself left out)."""
        found = [w for key in _keys(word) for w in self._by_key.get(key, ())
                 if w != word and same_word(word, w)]
        return list(dict.fromkeys(found))


def _keys(word: str) -> list[str]:
    """Words that can be one name share their consonant key: only vowels, "h" and near
    consonants (merged in the key) may differ."""
    key = consonant_key(word)
    return [key] if key else []
