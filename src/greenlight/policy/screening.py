"""Prompt screening: find names of talent, protected persons and protected works in free text.

Matching is case- and accent-insensitive and on whole words. Multi-word names tolerate a small
misspelling in each word ("Barak Obama"); a single word must be long before it is matched loosely,
so ordinary words ("hidden", "bided") are not flagged for a short name ("Biden"). A person's surname
alone is a weaker hit: reported as possible, never silently ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from greenlight.domain import SubjectKind

_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"'s\b")


@dataclass(frozen=True)
class NamedSubject:
    """Someone or something whose name must be caught: talent, a protected person or a work."""

    kind: str  # "talent", "protected-person" or "protected-work"
    subject_id: str
    display: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class NameHit:
    """A name found in the text: which subject, the words matched, and how sure."""

    subject: NamedSubject
    matched: str
    exact: bool
    surname_only: bool = False

    @property
    def subject_kind(self) -> SubjectKind:
        return SubjectKind.TALENT if self.subject.kind == "talent" else SubjectKind.PROTECTED


def normalise(text: str) -> list[str]:
    """Lower-case words with accents removed: "Zoë Saldaña" → ["zoe", "saldana"]."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    # "Miranda's" is Miranda; "O'Brien" is one word
    plain = _POSSESSIVE.sub("", plain.replace("’", "'")).replace("'", "")
    return _WORD.findall(plain)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein distance (adjacent swaps count once), or ``limit + 1`` once over it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def _tolerance(word: str, in_phrase: bool) -> int:
    """How many edits a word may be off: none for short words, more for long ones and in phrases."""
    if len(word) >= 10:
        return 2
    if len(word) >= (4 if in_phrase else 6):
        return 1
    return 0


def _phrase_at(words: list[str], start: int, name: list[str]) -> tuple[bool, bool]:
    """(matches, exactly) for the name's words at ``words[start:]``."""
    exact = True
    for offset, want in enumerate(name):
        got = words[start + offset]
        if got == want:
            continue
        tolerance = _tolerance(want, in_phrase=len(name) > 1)
        if tolerance == 0 or edit_distance(got, want, tolerance) > tolerance:
            return False, False
        exact = False
    return True, exact


def screen_text(text: str, subjects: Iterable[NamedSubject]) -> list[NameHit]:
    """Every subject named in ``text``, at most once each (the surest hit kept).

    Args:
        text: a prompt, a parameter or a description.
        subjects: everyone and everything to look for.
    Returns:
        Hits in the order of ``subjects``.
    """
    words = normalise(text)
    hits = []
    for subject in subjects:
        hit = _find(words, subject)
        if hit:
            hits.append(hit)
    return hits


def _find(words: list[str], subject: NamedSubject) -> NameHit | None:
    best: NameHit | None = None
    for name in subject.names:
        tokens = normalise(name)
        if not tokens:
            continue
        for start in range(len(words) - len(tokens) + 1):
            ok, exact = _phrase_at(words, start, tokens)
            if ok:
                hit = NameHit(subject, " ".join(words[start : start + len(tokens)]), exact)
                if exact:
                    return hit
                best = best or hit
    if best is None and subject.kind != "protected-work":
        best = _surname(words, subject)
    return best


def _surname(words: list[str], subject: NamedSubject) -> NameHit | None:
    """A person's last name alone, exactly, when it is long enough to mean something."""
    tokens = normalise(subject.names[0])
    if len(tokens) < 2 or len(tokens[-1]) < 4:
        return None
    if tokens[-1] in words:
        return NameHit(subject, tokens[-1], exact=True, surname_only=True)
    return None
