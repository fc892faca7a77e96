"""Names compiled for screening, and the matching of folded words against them.

Every subject is named by *forms*: each of its names, a person's surname alone (and an unusual given
name alone: "Barack"), and each part of a work's title ("Star Wars" and "The Empire Strikes Back" for
"Star Wars: The Empire Strikes Back").
A work's character is named as a person is: by the whole of its name ("Darth Vader"), by its last word
alone ("Vader", "Skywalker") and by an unusual first word alone ("Darth", "Hermione"). A last word that is
an ordinary English word, or one with an ending ("Potter", "Granger": grange + r), names the character
only when written as a name, as "Will Smith" does: "a potter at his wheel" and "a granger harvesting"
are the words.
A form matches text in one of four ways, from surest to loosest:

1. its words, or its letters joined, equal consecutive folded words of the text: "Barack Obama",
   "BarackObama", "B a r a c k  O b a m a", "Ob ama" (joins of ordinary words are refused: "a free
   man" is not Freeman);
2. its joined letters inside one long word: "starwarsfan";
3. a small misspelling in each word of a multi-word form ("Barak Obama"), or of a long single word;
4. a short name with a doubled or swapped letter, one letter changed by an accent or a look-alike, or
   a plural ("Obamma", "Obmaa", "Obéma", "the Obamas"): a *loose* match, reported as possible.

Misspellings never match an ordinary English word to a name ("a hairy potter" is not Harry Potter),
except through a doubled letter inside a full name ("Joe Bidden").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from greenlight.policy.textfold import Word, collapse, fold_key, skeleton, words

_TITLE_PARTS = re.compile(r"\s*[:\u2013\u2014()\[\]]\s*|\s+-\s+|\s+and\s+the\s+", re.IGNORECASE)
_ARTICLES = {"the", "a", "an"}
_INSIDE_MIN = 8  # a name this long is looked for inside longer words; shorter ones are ordinary word parts
_AFFIXED_MIN = 5  # a person's name this long is looked for with an affix ("obamaesque", "antibiden")
# Affixes that make a word of a person's name; "care" is not one ("obamacare" names a law, not a likeness).
_SUFFIXES = frozenset(fold_key(s) for s in ["esque", "like", "ish", "ian", "ians", "ite", "ites", "ism", "isms",
    "ist", "ists", "istic", "style", "styled", "type", "looking", "lookalike", "alike", "wannabe", "mania", "era",
    "ized", "ised", "ify", "ified", "verse", "core", "wave", "bot"])
_PREFIXES = frozenset(fold_key(s) for s in ["anti", "pro", "neo", "post", "pre", "ex", "faux", "mini", "mega",
    "super", "pseudo", "quasi", "non", "fake", "baby", "young", "old", "mock"])
_STOPWORDS = _ARTICLES | {"of", "and", "in", "into", "on", "at", "to", "for", "from", "with", "by", "or", "is", "it"}
# Words of one or two letters as common as any in the dictionary (which lists words of 3 to 7).
_SHORT_WORDS = frozenset({
    "a", "i", "o", "an", "am", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is",
    "it", "me", "my", "no", "of", "oh", "on", "or", "ok", "so", "to", "up", "us", "we",
})


@dataclass(frozen=True)
class Form:
    """One way a subject is named, as folded word keys."""

    subject: Any
    words: tuple[str, ...]
    role: str  # "name", "surname", "given" or "part" (of a work's title)
    run_together: bool = False  # a multi-word name as one word ("darthvader")
    common: bool = False  # every word of it an ordinary English word ("Will Smith", "The Rock", "It")
    joined: str = ""  # the words' letters run together, filled in from ``words``

    def __post_init__(self) -> None:
        object.__setattr__(self, "joined", "".join(self.words))


@dataclass(frozen=True)
class Match:
    """A form found at ``words[start:end]``: with no edit (``exact``), after undoing tricks (``folded``), loosely."""

    form: Form
    start: int
    end: int
    exact: bool
    folded: bool
    loose: bool = False


@dataclass
class NameIndex:
    """Every form of every subject, indexed by joined letters, by first word and by deletions (for edits)."""

    by_joined: dict[str, list[Form]] = field(default_factory=dict)
    by_first: dict[str, list[Form]] = field(default_factory=dict)
    singles: dict[str, list[Form]] = field(default_factory=dict)
    long_forms: dict[str, list[Form]] = field(default_factory=dict)
    deletions: dict[str, set[str]] = field(default_factory=dict)
    collapsed: dict[str, set[str]] = field(default_factory=dict)
    affixed: dict[str, list[Form]] = field(default_factory=dict)  # person names found with an affix
    scripts: dict[str, list[Form]] = field(default_factory=dict)  # names in a script with no Latin reading
    short_words: set[str] = field(default_factory=set)  # words of three letters or fewer in names of several
    longest: int = 0  # letters of the longest form, joined
    longest_word: int = 0  # letters of the longest word of any form

    def add(self, form: Form) -> None:
        if form.role == "script":
            self.scripts.setdefault(form.joined, []).append(form)
            return
        if (len(form.words) == 1 and len(form.joined) >= _AFFIXED_MIN and not form.common
                and form.subject.kind != "protected-work"):
            self.affixed.setdefault(form.joined, []).append(form)
        self.by_joined.setdefault(form.joined, []).append(form)
        self.longest = max(self.longest, len(form.joined))
        self.longest_word = max(self.longest_word, *(len(w) for w in form.words))
        if len(form.joined) >= _INSIDE_MIN:
            self.long_forms.setdefault(form.joined, []).append(form)
        if len(form.words) > 1:
            self.by_first.setdefault(form.words[0], []).append(form)
            self.short_words.update(w for w in form.words if len(w) <= 3)
        else:
            self.singles.setdefault(form.words[0], []).append(form)
        for word in form.words:
            self.collapsed.setdefault(collapse(word), set()).add(word)
            if len(word) >= 4:
                # one edit is enough to find a name run together; two would make the index many times larger
                depth = 2 if len(word) >= 10 and not form.run_together else 1
                for variant in _deletions(word, depth):
                    self.deletions.setdefault(variant, set()).add(word)


GIVEN_LETTERS = 5
"""A person's given name alone is a form when it has this many letters and is no English word ("Barack",
"Dwayne"; not "Joe", "Will" or "Rose")."""


@lru_cache(maxsize=1)
def english() -> frozenset[str]:
    """Ordinary English words (3 to 7 letters, from the shipped word list) and the commonest shorter ones."""
    from greenlight.policy.english_words import WORDS

    return frozenset(w for line in WORDS for w in line.split()) | _SHORT_WORDS


def ordinary(word: Word) -> bool:
    """Whether a word of the text is an ordinary English word, written plainly."""
    return not word.marked and word.plain in english()


def forms_of(subject: Any) -> list[Form]:
    """Every form a subject (``kind``, ``names``) is named by."""
    forms = []
    for name in subject.names:
        found = words(name, symbols_as_letters=False)
        if found:
            forms.append(Form(subject, tuple(w.key for w in found), "name", common=all(map(ordinary, found))))
        if subject.kind == "protected-work":
            forms += [Form(subject, part, "part") for part in _title_parts(name)]
        letters = script_letters(name)
        if letters and not letters.isascii():  # 奥巴马: no Latin reading, so matched as it is written
            forms.append(Form(subject, (letters,), "script"))
    # a long name run together is also one word, so it may be misspelt as one ("darthvadr")
    forms += [Form(f.subject, (f.joined,), f.role, run_together=True)
              for f in list(forms) if len(f.words) > 1 and len(f.joined) >= 8]
    if subject.kind != "protected-work" and subject.names:
        forms += _one_word_forms(subject, subject.names[0], ordinary)
    if subject.kind == "protected-work":  # names after the title are its characters
        for character in subject.names[1:]:
            forms += _one_word_forms(subject, character, _ordinary_or_derived)
    return forms


def _one_word_forms(subject: Any, name: str, is_word: Any) -> list[Form]:
    """A name's last word alone ("Obama", "Vader") and its unusual first word alone ("Barack", "Darth").

    ``is_word`` tells an ordinary word: a last word that is one names only when written as a name.
    """
    parts = words(name, symbols_as_letters=False)
    if len(parts) < 2:
        return []
    forms = []
    if len(parts[-1].plain) >= 4:
        forms.append(Form(subject, (parts[-1].key,), "surname", common=is_word(parts[-1])))
    if len(parts[0].plain) >= GIVEN_LETTERS and not is_word(parts[0]):
        forms.append(Form(subject, (parts[0].key,), "given"))  # "Barack in the oval office"
    return forms


_ENDINGS = ("s", "es", "r", "er", "ers", "d", "ed", "ing", "ly", "y")


def _ordinary_or_derived(word: Word) -> bool:
    """An ordinary word, or one with an ending the word list leaves out ("granger": grange + r)."""
    if ordinary(word):
        return True
    plain = word.plain
    return not word.marked and any(
        plain.endswith(end) and len(plain) - len(end) >= 3 and plain[: -len(end)] in english() for end in _ENDINGS
    )


def script_letters(text: str) -> str:
    """The letters of ``text``'s skeleton run together (punctuation such as "・" dropped): for other scripts."""
    return "".join(c for c in skeleton(text)[0] if c.isalnum())


def _title_parts(title: str) -> list[tuple[str, ...]]:
    """Parts of a title that name the work alone: a main title or subtitle of two content words or more."""
    pieces = [p for p in _TITLE_PARTS.split(title) if p.strip()]
    if len(pieces) < 2:
        return []
    parts = []
    for piece in pieces:
        found = words(piece, symbols_as_letters=False)
        while found and found[0].plain in _ARTICLES:
            found = found[1:]
        content = [w for w in found if w.plain not in _STOPWORDS and len(w.plain) > 1]
        if len(content) >= 2 or (len(content) == 1 and len(found) == 1 and len(found[0].plain) >= 5
                                 and not ordinary(found[0])):
            parts.append(tuple(w.key for w in found))
    return parts


@lru_cache(maxsize=8)
def compile_names(subjects: tuple[Any, ...]) -> NameIndex:
    """The index of every form of ``subjects`` (cached: the same subjects are screened again and again)."""
    index = NameIndex()
    for subject in subjects:
        for form in forms_of(subject):
            index.add(form)
    return index


def find(index: NameIndex, text_words: Sequence[Word], lenient: bool = False) -> Iterable[Match]:
    """Every match of a form in the folded words of a text (a subject may match several times).

    ``lenient``: the words are a transliteration ("Барак Обама"), so each word of a phrase may be off
    by one edit more: a name spelt by sound is rarely spelt as in English.
    """
    yield from (m for m in _joined(index, text_words) if not _as_words(m, text_words))
    # A given name alone counts only as written (tricks undone): "Barak", "Barock", "Wayne" and "Baracke"
    # are other people and other words, not Barack or Dwayne misspelt.
    seen: dict[str, dict[str, tuple[int, bool]]] = {}
    near = [seen[w.key] if w.key in seen else seen.setdefault(w.key, _near(index, w, lenient)) for w in text_words]
    loose = (*_inside(index, text_words), *_affixed(index, text_words), *_phrases(index, text_words, near, lenient),
             *_single(index, text_words, near))
    yield from (m for m in loose if m.form.role != "given")


def _as_words(match: Match, text_words: Sequence[Word]) -> bool:
    """Whether a name made of ordinary words is written as those words, not as a name.

    A person's name must be written with capitals ("Will Smith", "the Rock", not "will smith a blade");
    a one-word name or title (a work called "It") with a capital that is not a sentence's first
    letter and is not one of a word in capitals ("MAKE IT DARKER"), or in quotation marks. A trick
    undone or words joined are never chance. Titles of several words ("star wars") are names however
    they are written.
    """
    form = match.form
    pieces = text_words[match.start : match.end]
    if not form.common or any(w.marked for w in pieces) or len(pieces) != len(form.words):
        return False
    content = [w for w in pieces if w.plain not in _ARTICLES] or list(pieces)
    if len(content) == 1:
        word = content[0]
        return not (word.quoted or (word.capital and not word.shouted and not word.sentence_start))
    return form.subject.kind != "protected-work" and not all(w.capital for w in content)


def _joined(index: NameIndex, text_words: Sequence[Word]) -> Iterable[Match]:
    """Forms equal to consecutive words, as words or with their letters joined."""
    for start in range(len(text_words)):
        letters = ""
        for end in range(start + 1, len(text_words) + 1):
            if end - 1 > start and text_words[end - 1].after_break:
                break  # "the rose. Leslie" is two sentences, not Rose Leslie
            letters += text_words[end - 1].key
            if len(letters) > index.longest:
                break
            for form in index.by_joined.get(letters, ()):
                pieces = text_words[start:end]
                aligned = tuple(w.key for w in pieces) == form.words
                if aligned or _joinable(pieces, form):
                    folded = not aligned or any(w.marked for w in pieces)
                    yield Match(form, start, end, exact=True, folded=folded)


def _joinable(pieces: Sequence[Word], form: Form) -> bool:
    """Whether words that spell a name only once joined are a trick ("O b a m a") rather than chance."""
    if all(len(w.key) == 1 for w in pieces):
        return True
    return len(form.joined) >= 5 and not all(ordinary(w) for w in pieces)


def _inside(index: NameIndex, text_words: Sequence[Word]) -> Iterable[Match]:
    """Long forms hidden inside one longer word ("starwarsfan", "thedarthvaderhelmet")."""
    for i, word in enumerate(text_words):
        key = word.key
        if len(key) <= _INSIDE_MIN:
            continue
        for start in range(len(key) - _INSIDE_MIN + 1):
            for end in range(start + _INSIDE_MIN, min(len(key), start + index.longest) + 1):
                if end - start < len(key):
                    for form in index.long_forms.get(key[start:end], ()):
                        yield Match(form, i, i + 1, exact=True, folded=True)


def _affixed(index: NameIndex, text_words: Sequence[Word]) -> Iterable[Match]:
    """A person's name of five letters or more with an affix in one word ("obamaesque", "antibiden"): possible."""
    if not index.affixed:
        return
    for i, word in enumerate(text_words):
        key = word.key
        if len(key) <= _AFFIXED_MIN or ordinary(word):
            continue
        for cut in range(2, len(key) - 1):
            head, tail = key[:cut], key[cut:]
            for form in (index.affixed.get(head, []) if tail in _SUFFIXES else []) + (
                    index.affixed.get(tail, []) if head in _PREFIXES else []):
                yield Match(form, i, i + 1, exact=True, folded=True, loose=True)


def _near(index: NameIndex, word: Word, lenient: bool = False) -> dict[str, tuple[int, bool]]:
    """Name words one or two edits from ``word`` (from its key alone): {name word: (edits, only a doubled letter)}."""
    key = word.key
    found: dict[str, tuple[int, bool]] = {}
    if lenient and 2 <= len(key) <= 4:  # a short word spelt by sound ("Джо" is "Jo", Joe): an edit, in a phrase only
        found = {w: (1, False) for w in index.short_words if w != key and edit_distance(key, w, 1) <= 1}
    if not 3 <= len(key) <= index.longest_word + 2:  # two edits at most: a longer word is near no name word
        return found
    for name_word in index.collapsed.get(collapse(key), ()):
        if name_word != key:
            found[name_word] = (1, True)
    for variant in _deletions(key, 2 if len(key) >= 8 or lenient else 1):
        for name_word in index.deletions.get(variant, ()):
            if name_word not in found and name_word != key:
                edits = edit_distance(key, name_word, 2)
                if edits <= 2:
                    found[name_word] = (edits, False)
    return found


def _fits(word: Word, name_word: str, edits: int, doubled: bool, in_phrase: bool, lenient: bool = False) -> str | None:
    """How a word near a name word counts: "fuzzy", "loose" (possible only) or not at all (None)."""
    if doubled:
        if in_phrase:
            return "fuzzy"
        return None if ordinary(word) else "loose"
    if ordinary(word) and not lenient:  # a transliteration is not English, even where it spells a word ("dart")
        return None
    if edits <= _tolerance(name_word, in_phrase) + (lenient and in_phrase):
        return "fuzzy"
    if not in_phrase and edits == 1 and len(name_word) >= 4 and (
        word.marked or _swapped(word.key, name_word) or word.key == name_word + "s"  # "the Obamas"
    ):
        return "loose"
    return None


def _tolerance(name_word: str, in_phrase: bool) -> int:
    """How many edits a word may be off: none for short words, more for long ones and in phrases."""
    if len(name_word) >= 10:
        return 2
    if len(name_word) >= (4 if in_phrase else 6):
        return 1
    return 0


def _swapped(a: str, b: str) -> bool:
    """Whether ``a`` is ``b`` with two neighbouring letters swapped."""
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _phrases(index: NameIndex, text_words: Sequence[Word], near: list[dict], lenient: bool) -> Iterable[Match]:
    """Multi-word forms with a small misspelling in any of their words."""
    for start, word in enumerate(text_words):
        for first in (word.key, *near[start]):
            for form in index.by_first.get(first, ()):
                end = start + len(form.words)
                if end <= len(text_words) and _phrase_fits(form, text_words, near, start, lenient):
                    marked = any(w.marked for w in text_words[start:end])
                    yield Match(form, start, end, exact=False, folded=marked)


def _phrase_fits(form: Form, text_words: Sequence[Word], near: list[dict], start: int, lenient: bool) -> bool:
    edited = False
    for offset, want in enumerate(form.words):
        got = text_words[start + offset]
        if offset and got.after_break:
            return False
        if got.key == want:
            continue
        info = near[start + offset].get(want)
        if info is None or _fits(got, want, *info, in_phrase=True, lenient=lenient) is None:
            return False
        edited = True
    return edited  # an unedited phrase is found, surer, by _joined


def _single(index: NameIndex, text_words: Sequence[Word], near: list[dict]) -> Iterable[Match]:
    """Single-word forms (one-word names, surnames) misspelt or loosely written."""
    for i, word in enumerate(text_words):
        for name_word, (edits, doubled) in near[i].items():
            for form in index.singles.get(name_word, ()):
                if form.common:  # an ordinary word a letter off is another word ("потёр", rubbed, is not Potter)
                    continue
                how = _fits(word, name_word, edits, doubled, in_phrase=False)
                if how is not None:
                    yield Match(form, i, i + 1, exact=False, folded=word.marked, loose=how == "loose")


def _deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` letters."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


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
