"""Fold text to what a reader sees, so a name written with tricks compares equal to the name itself.

The fold follows the skeleton of Unicode's confusable detection (UTS #39, section 4): invisible
characters are dropped (every format character, Cf: zero-width spaces and joiners, soft hyphens, bidi
marks, tags; variation selectors and the other default-ignorables), and each character is mapped to
the Latin letter it is confusable with (``confusables_data``, generated from Unicode's confusables.txt),
looked up as written and, failing that, after NFKC (fullwidth, mathematical and circled letters) and
decomposition; accents are dropped and case folded. On top of the skeleton, a word that mixes
letters with digits or symbols reads them as letters ("0b4m4", "$tar", "Ob@ma"), and ``i``/``l``/``1``
and ``rn``/``m``, ``vv``/``w`` and ``cl``/``d`` compare equal as they look alike.

Each word keeps whether a trick was undone in it (``Word.marked``), which makes a loose match on a
short name credible ("Obéma" is a trick, "bided" a word).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Look-alikes confusables.txt maps to another non-Latin prototype, but that read as these letters.
_CURATED = {"η": "n", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ѕ": "s", "һ": "h", "ԁ": "d",
            "м": "m", "т": "t", "к": "k", "н": "h", "в": "b"}
# Look-alikes read as written, before NFKC and case folding would make them something else ("ß" is "ss").
_AS_WRITTEN = {"ß": "b", "¡": "i", "ɗ": "d", "ᴉ": "i", "ə": "e", "ŋ": "n", "ꞵ": "b", "ƅ": "b", "ɒ": "a"}
_LATIN_NAME = re.compile(r"LATIN (?:SMALL|CAPITAL) LETTER (?:TURNED |REVERSED |INSULAR |DOTLESS )?([A-Z])(?: WITH .*)?")
# Digits and symbols read as the letters they stand for, inside a word that has letters.
_LEET = str.maketrans({"0": "o", "1": "l", "2": "z", "3": "e", "4": "a", "5": "s", "6": "b", "7": "t", "8": "b",
                       "9": "g", "$": "s", "@": "a", "!": "i", "|": "l", "€": "e", "¢": "c", "§": "s"})
_SYMBOLS = "$@!|€¢§"
_CAMEL = re.compile(r"(?<=[^\W\d_]{2})(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])")  # "VVars" is one word
_POSSESSIVE = re.compile(r"'s\b")
_WITH_SYMBOLS = re.compile(r"[$@€¢§]?[a-z0-9]+(?:[$@!|€¢§]+[a-z0-9]+)*[$@€¢§]?")
_PLAIN = re.compile(r"[a-z]+|[0-9]+")
_MIXED = re.compile(r"[^\W\d_][0-9]|[0-9][^\W\d_]")
# Enclosed letters NFKC leaves alone, or turns into "(a)": (first code point, first letter, count).
_ENCLOSED = ((0x1F150, "a", 26), (0x1F170, "a", 26), (0x1F130, "a", 26), (0x1F110, "a", 26), (0x249C, "a", 26),
             (0x1F1E6, "a", 26), (0x24B6, "a", 52))
_SENTENCE_END = re.compile(r"[.!?:]\s|\n")
_CLAUSE_END = re.compile(r"[.!?,;:()\[\]\u2013\u2014]\s|\s[-\u2013\u2014]\s|\n\s*\n")
_QUOTES = "\"\u201c\u201e\u00ab\u2018"
# Abbreviations a full stop ends without ending a sentence.
_TITLES = frozenset(["mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "sen", "rep", "gov", "pres", "lt",
    "col", "capt", "sgt", "rev", "hon", "mt", "vs"])
_IGNORABLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0xE0100, 0xE01EF),
)


class Word(NamedTuple):  # a tuple, not a frozen dataclass: made for every word screened, so it must be cheap
    """One word of folded text: what it reads as, what it says plainly, and whether a trick was undone."""

    key: str  # the fold, for comparison: "0b4m4" and "Obama" both give "obama"
    plain: str  # lower-case, accents dropped, digits left as they are: for messages and word lists
    marked: bool  # a look-alike, an accent, a digit or symbol for a letter was undone in it
    capital: bool = False  # written with a capital first letter
    after_break: bool = False  # a sentence or clause ends just before it: a name does not run across
    sentence_start: bool = False  # first of its text, sentence or line: a capital there says nothing
    quoted: bool = False  # just after an opening quotation mark
    shouted: bool = False  # all capitals, two letters or more ("IT", "WILL"): a capital that says less


@lru_cache(maxsize=4096)
def is_invisible(char: str) -> bool:
    """A character that shows nothing between letters: format (Cf) or another default-ignorable one."""
    if char.isascii():
        return False
    if unicodedata.category(char) == "Cf":
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> tuple[str, bool]:
    """(Latin reading, whether it is not a plain letter) for one character of the text."""
    from greenlight.policy.confusables_data import CONFUSABLES

    if is_invisible(char):
        return "", False
    # the character as written first: NFKC would turn some look-alikes into a space and a mark ("˛" for i)
    if char in _AS_WRITTEN:
        return _AS_WRITTEN[char], True
    if char in CONFUSABLES:
        return CONFUSABLES[char], True
    code = ord(char)
    for first, letter, count in _ENCLOSED:
        if first <= code < first + count:
            return chr(ord(letter) + (code - first) % 26), True
    compat = unicodedata.normalize("NFKC", char)
    out, marked = [], compat != char
    for part in unicodedata.normalize("NFD", compat):
        if unicodedata.combining(part):
            marked = True
            continue
        # a capital may look like a Latin letter its small form does not ("Β" is B, "β" is not)
        lower = part.casefold()
        mapped = CONFUSABLES.get(part) or CONFUSABLES.get(lower) or _CURATED.get(lower) or _latin_base(part)
        if mapped is not None:
            out.append(mapped)
            marked = True
        else:
            out.extend(unicodedata.normalize("NFD", lower))
    return "".join(c for c in out if not unicodedata.combining(c)), marked


def _latin_base(char: str) -> str | None:
    """The plain letter of a Latin letter with a stroke, hook, bar or tail, or turned ("đ", "ł", "ɓ", "ɐ"):
    confusables.txt leaves most of them alone, and unfolded they split the word they are in ("Biđen")."""
    if char.isascii() or not char.isalpha():
        return None
    found = _LATIN_NAME.fullmatch(unicodedata.name(char, ""))
    return found.group(1).lower() if found else None


def skeleton(text: str) -> tuple[str, list[bool]]:
    """The text folded as UTS #39 describes, lower-cased, and for each character whether it was a trick."""
    folded, marks, _ = _skeleton(text)
    return folded, marks


def _skeleton(text: str) -> tuple[str, list[bool], list[bool]]:
    """The skeleton, with for each character whether it was a trick and whether it was a capital."""
    text = _CAMEL.sub(" ", "".join(c for c in text if not is_invisible(c)))  # "BarackObama" → "Barack Obama"
    text = _POSSESSIVE.sub("", text.replace("’", "'")).replace("'", "")  # "Miranda's" is Miranda; O'Brien one word
    chars: list[str] = []
    marks: list[bool] = []
    capitals: list[bool] = []
    for char in text:
        folded, marked = _fold_char(char)
        chars.extend(folded)
        marks.extend([marked] * len(folded))
        capitals.extend([char.isupper()] * len(folded))
    return "".join(chars), marks, capitals


def fold_key(word: str) -> str:
    """The comparison key of one already-skeletonised word: symbols and digits read as letters, look-alikes merged."""
    if any(c.isalpha() for c in word):
        word = word.translate(_LEET)
    return word.replace("rn", "m").replace("vv", "w").replace("i", "l").replace("cl", "d")  # "cI" too


def words(text: str, symbols_as_letters: bool = True) -> list[Word]:
    """The folded words of ``text``.

    Args:
        text: any text.
        symbols_as_letters: read ``$ @ ! |`` and digits inside words as letters ("$tar W@rs", "0b4m4");
            with False they separate words instead ("obama@example.org", "Obama2024").
    """
    folded, marks, capitals = _skeleton(text)
    pattern = _WITH_SYMBOLS if symbols_as_letters else _PLAIN
    out: list[Word] = []
    end = 0
    for match in pattern.finditer(folded):
        raw = match.group().rstrip("!|")
        if not raw:
            continue
        trick = any(marks[match.start() : match.start() + len(raw)]) or (
            any(c.isalpha() for c in raw) and any(not c.isalpha() for c in raw)
        )
        gap = folded[end : match.start()]
        if out and gap == " ":  # the commonest gap by far: no break, no quote
            after_break = starts = quoted = False
        else:
            after_break, starts = _breaks(gap + " ", out[-1].plain if out else "")
            quoted = (gap.rstrip() or " ")[-1] in _QUOTES
        capital = capitals[match.start()]
        shouted = capital and len(raw) > 1 and all(capitals[match.start() : match.start() + len(raw)])
        out.append(Word(fold_key(raw), raw, trick, capital, after_break, starts, quoted, shouted))
        end = match.start() + len(raw)
    return out


def _breaks(gap: str, before: str) -> tuple[bool, bool]:
    """(whether a clause or sentence ends in ``gap``, whether a sentence starts after it), after the word ``before``.

    A full stop after a single letter or a title is an initial or an abbreviation ("Barack H. Obama").
    """
    if not before:
        return False, True
    if len(before) == 1 or before in _TITLES:
        return False, False
    return _CLAUSE_END.search(gap) is not None, _SENTENCE_END.search(gap) is not None


def has_symbols(text: str) -> bool:
    """Whether ``text`` has a symbol or digit that may stand for a letter (so both readings are worth screening)."""
    return any(c in text for c in _SYMBOLS) or _MIXED.search(text) is not None


def collapse(key: str) -> str:
    """Runs of one letter as one: "obamma" → "obama", so a doubled letter is not a different name."""
    return re.sub(r"(.)\1+", r"\1", key)


def letters_joined(text_words: list[Word]) -> list[Word]:
    """The words with every run of three or more single letters made one word ("O b a m m a" → "obamma")."""
    out: list[Word] = []
    run: list[Word] = []
    for word in [*text_words, Word("", "", False)]:
        if len(word.key) == 1 and word.key.isalpha():
            run.append(word)
            continue
        if len(run) >= 3:
            first = run[0]
            out.append(Word("".join(w.key for w in run), "".join(w.plain for w in run), True, first.capital,
                            first.after_break, first.sentence_start, first.quoted))
        else:
            out.extend(run)
        run = []
        if word.key:
            out.append(word)
    return out


def initials_dropped(text_words: list[Word]) -> list[Word]:
    """The words without a lone initial between two longer words ("Barack H. Obama" → "Barack Obama").

    "a", "i" and "o" stay: they are words, and dropping them would join words that were apart.
    """
    out = []
    for i, word in enumerate(text_words):
        lone = (len(word.key) == 1 and word.key not in "alo" and 0 < i < len(text_words) - 1
                and len(text_words[i - 1].key) > 1 and len(text_words[i + 1].key) > 1)
        if not lone:
            out.append(word)
    return out
