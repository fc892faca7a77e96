"""Prompt screening: find names of talent, protected persons and protected works in free text.

Text and names are folded first as Unicode's confusable detection describes (``textfold``): look-alike
letters from other scripts, invisible characters, fullwidth and mathematical letters, accents, and
digits or symbols standing for letters all read as the letters they show. Names are then matched on
whole words, as words or joined ("BarackObama", "O b a m a"), with a small misspelling tolerated in
each word of a multi-word name ("Barak Obama") and in long single words (``namematch``). Ordinary
words are never taken for a short name ("hidden", "bided" are not "Biden"). A person's surname alone, a
character's one distinctive word alone ("Vader", "Hermione"), and a short name written loosely
("Obamma"), are weaker hits: reported as possible, never ignored.
The text is also screened as displayed and decoded (``textviews``: TAG characters, bidi overrides,
HTML, leet of several characters, Greek and Cyrillic transliteration, Russian case endings), read
backwards ("amabO kcaraB": exact names only), and for aliases written in a script with no Latin reading
(a name in Chinese or Japanese is caught only through such an alias).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from greenlight.domain import SubjectKind
from greenlight.policy.namematch import Match, NameIndex, compile_names, edit_distance, find, script_letters
from greenlight.policy.textfold import Word, has_symbols, initials_dropped, letters_joined, words
from greenlight.policy.textviews import readings as other_readings

_MID_WORD_CAPITAL = re.compile(r"[^\W\d_][A-Z]")

__all__ = ["NameHit", "NamedSubject", "edit_distance", "normalise", "screen_text"]


@dataclass(frozen=True)
class NamedSubject:
    """Someone or something whose name must be caught: talent, a protected person or a work."""

    kind: str  # "talent", "protected-person" or "protected-work"
    subject_id: str
    display: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class NameHit:
    """A name found in the text: which subject, the words matched, and how sure.

    ``exact``: no letter had to be edited (tricks undone still count as exact: "0b4m4" is Obama).
    ``folded``: a trick was undone to see the name (look-alikes, invisible characters, joined letters).
    ``loose``: a short name written with a doubled, swapped or accented letter: possible only.
    """

    subject: NamedSubject
    matched: str
    exact: bool
    surname_only: bool = False
    folded: bool = False
    loose: bool = False

    @property
    def subject_kind(self) -> SubjectKind:
        return SubjectKind.TALENT if self.subject.kind == "talent" else SubjectKind.PROTECTED

    @property
    def possible(self) -> bool:
        """A weaker hit a person must confirm: a surname alone or a loosely written short name."""
        return self.surname_only or self.loose


def normalise(text: str) -> list[str]:
    """Folded words of ``text``, as screening compares them: "Zoë Saldaña" → ["zoe", "saldana"]."""
    return [w.key for w in words(text)]


def screen_text(text: str, subjects: Iterable[NamedSubject]) -> list[NameHit]:
    """Every subject named in ``text``, at most once each (the surest hit kept).

    Args:
        text: a prompt, a parameter or a description.
        subjects: everyone and everything to look for.
    Returns:
        Hits in the order of ``subjects``.
    """
    ordered = tuple(subjects)
    index = compile_names(ordered)
    best: dict[str, tuple[tuple, NameHit]] = {}

    def keep(hit: NameHit) -> None:
        rank = (hit.possible, not hit.exact, hit.folded)
        known = best.get(hit.subject.subject_id)
        if known is None or rank < known[0]:
            best[hit.subject.subject_id] = (rank, hit)

    # hidden as TAG characters, reversed by a bidi override, in HTML, leet; Greek and Cyrillic transliterated
    readings = [(text, False), *other_readings(text)]
    if _MID_WORD_CAPITAL.search(text):  # "VaCIer", "BicIEn": read in small letters too, not cut at the capitals
        readings.append((text.lower(), False))
    for reading, lenient in readings:
        for view in _views(reading):
            for match in find(index, view, lenient):
                keep(_hit(match, view))
    for hit in _backwards(index, text):
        keep(hit)
    for hit in _in_other_scripts(index, text):
        keep(hit)
    return [best[s.subject_id][1] for s in ordered if s.subject_id in best]


def _views(text: str) -> list[list[Word]]:
    """The folded words of ``text``, and the variants of them worth screening too."""
    views = [words(text)]
    if has_symbols(text):  # "obama@example.org" and "Obama2024" are Obama too, "@" and "2024" apart
        views.append(words(text, symbols_as_letters=False))
    for variant in (letters_joined(views[0]), initials_dropped(views[0])):
        if len(variant) < len(views[0]):  # letters spelt out ("O b a m m a"), a middle initial ("Barack H. Obama")
            views.append(variant)
    return views


def _backwards(index: NameIndex, text: str) -> list[NameHit]:
    """Names written backwards ("amabO kcaraB", "sraW ratS"), read right to left as they were written.

    Only a name spelt exactly counts: a word read backwards is rarely a word, so a misspelling allowed
    for unusual words would find names in ordinary text read the wrong way ("rats" is "star" backwards).
    Nor do names of ordinary words ("It"), names of three letters ("MMI" is not "LMM"), or names spelt by
    single letters: Greek read backwards is full of them ("τι", what, is "ιτ", and the look-alikes read "it").
    """
    found = []
    for view in _views(text[::-1]):
        for match in find(index, view):
            spelt = any(len(w.key) > 1 for w in view[match.start : match.end])
            if match.exact and not match.loose and not match.form.common and spelt and len(match.form.joined) > 3:
                found.append(replace(_hit(match, view), folded=True))
    return found


def _in_other_scripts(index: NameIndex, text: str) -> list[NameHit]:
    """Aliases written in a script with no Latin reading (奥巴马), found anywhere in the text's letters."""
    if not index.scripts or text.isascii():
        return []
    letters = script_letters(text)
    return [NameHit(form.subject, alias, exact=True) for alias, forms in index.scripts.items() if alias in letters
            for form in forms]


def _hit(match: Match, view) -> NameHit:
    matched = " ".join(w.plain for w in view[match.start : match.end])
    return NameHit(
        match.form.subject,
        matched,
        exact=match.exact,
        surname_only=match.form.role in ("surname", "given"),
        folded=match.folded,
        loose=match.loose,
    )
