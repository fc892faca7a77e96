"""Rank library references by how well their caption and tags match a brief: Okapi BM25 over stemmed words.

Lexical on purpose: it needs no model (nothing to download, nothing heavy to import), it is exact and
explainable to the person who wrote the caption, and on the judged set in the benchmarks it finds the
references a designer would pick (see docs/benchmarks.md, Mood boards).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

K1 = 1.2
B = 0.75
_WORD = re.compile(r"[a-z0-9]+")
# Words that carry no look or subject in a brief ("a mood board of the kitchen with ...").
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on",
    "or", "the", "to", "with", "without", "this", "that", "these", "those", "mood", "board", "moodboard", "look",
    "feel", "reference", "references", "image", "images", "photo", "photos", "picture", "shot"
})
# After the plural is off, the first of these that leaves a stem of three letters or more goes too.
_SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ation", "ment", "ness", "ing", "ied", "edly",
             "ed", "ly")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer, so "lamps" finds "lamp" and "candle-lit" finds "candles".

    Porter's plural step (sses → ss, ies → y, s → ''), one common ending, a doubled last consonant
    ("dimmed" → "dim"), and a final silent e ("dance" and "dancing" both become "danc").
    """
    if word.endswith("sses") or word.endswith("ies"):
        word = word[:-2] if word.endswith("sses") else word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ied" else "")
            if suffix in ("ing", "ed") and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def terms(text: str) -> list[str]:
    """The stemmed, lower-cased words of ``text`` without stop words; accents folded ("café" → "cafe")."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [stem(w) for w in _WORD.findall(plain) if w not in STOPWORDS]


class BM25:
    """An index of documents (one per reference) that scores a query with Okapi BM25."""

    def __init__(self, documents: Sequence[str]) -> None:
        self._docs = [Counter(terms(d)) for d in documents]
        self._lengths = [sum(d.values()) for d in self._docs]
        self._mean = (sum(self._lengths) / len(self._docs)) if self._docs else 0.0
        frequency = Counter(t for d in self._docs for t in d)
        count = len(self._docs)
        self._idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}

    def scores(self, query: str) -> list[float]:
        """The score of every document for ``query``, in document order (0 when no word matches)."""
        wanted = set(terms(query))
        return [self._score(d, n, wanted) for d, n in zip(self._docs, self._lengths, strict=True)]

    def _score(self, doc: Counter, length: int, wanted: set[str]) -> float:
        total = 0.0
        for term in wanted & doc.keys():
            f = doc[term]
            total += self._idf[term] * f * (K1 + 1) / (f + K1 * (1 - B + B * length / (self._mean or 1)))
        return total


def rank(documents: Sequence[str], query: str) -> list[tuple[int, float]]:
    """Indices of the documents that match ``query`` at all, best first (ties keep library order)."""
    scored = [(i, s) for i, s in enumerate(BM25(documents).scores(query)) if s > 0]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))
