"""Matching an identity embedding against the enrolled likeness references."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from greenlight.domain.registry import LikenessReference, SubjectKind
from greenlight.domain.scan import Identity

MATCH_THRESHOLD = 0.6
"""Largest embedding distance at which a face is taken to be an enrolled subject.

Measured on the sample photos (one embedding per photo, 68-point alignment): the same person's photos
are at most 0.513 apart (Alex Lacamoire's two photos; Obama 0.41, Biden 0.43, Rose Leslie 0.42), two
different people at least 0.700 apart (Lin-Manuel Miranda and Obama). 0.6, dlib's usual value, sits in
that gap with a margin of about 0.09 on each side. In the clip, Lin-Manuel Miranda's frames are 0.36–0.65
from his enrolment photo (the far end on his 44–53 px face in the wide shot), which is why a track's
identity is decided on the mean of several embeddings rather than on one frame.
"""


PROTECTED_REACH = 0.66
"""How far a protected person reaches beside a matched face: wider than ``MATCH_THRESHOLD``, so that a
face between an enrolled talent and a protected person (a 40 % blend of the two lies 0.59–0.63 from
the protected person's photos) is held for the protected person too. Different real people in the
sample photos are 0.70 apart or more."""


def _reach(kind: SubjectKind) -> float:
    return PROTECTED_REACH if kind is SubjectKind.PROTECTED else MATCH_THRESHOLD


class Gallery:
    """The enrolled references a scan identifies faces against.

    Args:
        references: enrolled likeness references (talent and protected persons).
        names: display name by subject id (references without a name are reported by id alone).
    """

    def __init__(self, references: Sequence[LikenessReference], names: Mapping[str, str]) -> None:
        self.references = tuple(references)
        self.names = dict(names)
        for ref in self.references:
            if ref.subject_kind is SubjectKind.UNKNOWN:
                raise ValueError(f"reference {ref.id} has kind UNKNOWN; only talent or protected persons enrol")
        self._matrix = (np.array([ref.embedding for ref in self.references], dtype=np.float64)
                        if self.references else np.zeros((0, 128)))
        self._protected_means = _protected_means(self.references)

    def __len__(self) -> int:
        return len(self.references)

    def distances(self, embedding: np.ndarray) -> np.ndarray:
        """Euclidean distance from ``embedding`` to every reference, in reference order."""
        return np.linalg.norm(self._matrix - np.asarray(embedding, dtype=np.float64), axis=1)

    def identify(self, embedding: np.ndarray, *measured_too: np.ndarray) -> Identity:
        """Who a face is: the nearest subject if within ``MATCH_THRESHOLD``, else unknown.

        Every other subject within the threshold (protected persons within ``PROTECTED_REACH`` of any of
        their references or of their mean, as enrolment measures them) is named in ``Identity.also``, so
        the policy asks consent of each of them; a face near nobody is unknown whatever is nearest.

        Args:
            embedding: a 128-d identity embedding.
            measured_too: other embeddings of the same face (another crop of it): a protected person's
                distance is the least over all of them; who the face is, is decided on ``embedding`` alone.

        Returns:
            ``Identity`` of kind TALENT or PROTECTED with subject id, name, distance and ``also``; or
            UNKNOWN with the distance to the nearest reference (None when the gallery is empty).
        """
        if not self.references:
            return Identity(SubjectKind.UNKNOWN)
        dist = self.distances(embedding)
        nearest: dict[str, tuple[float, LikenessReference]] = {}
        for ref, d in zip(self.references, dist, strict=True):
            if ref.subject_id not in nearest or d < nearest[ref.subject_id][0]:
                nearest[ref.subject_id] = (float(d), ref)
        for other in measured_too:
            for ref, d in zip(self.references, self.distances(other), strict=True):
                if ref.subject_kind is SubjectKind.PROTECTED and d < nearest[ref.subject_id][0]:
                    nearest[ref.subject_id] = (float(d), ref)
        for ref, mean in self._protected_means:  # as enrolment measures them (``ENROL_SEPARATION``)
            d = min(float(np.linalg.norm(mean - np.asarray(e, dtype=np.float64))) for e in (embedding, *measured_too))
            nearest[ref.subject_id] = min(nearest[ref.subject_id], (d, ref), key=lambda item: item[0])
        ranked = sorted(nearest.values(), key=lambda item: item[0])
        if ranked[0][0] > MATCH_THRESHOLD:
            return Identity(SubjectKind.UNKNOWN, distance=round(ranked[0][0], 4))
        close = [self._identity(ref, d) for d, ref in ranked if d <= _reach(ref.subject_kind)]
        return replace(close[0], also=tuple(close[1:]))

    def _identity(self, ref: LikenessReference, distance: float) -> Identity:
        return Identity(ref.subject_kind, ref.subject_id, self.names.get(ref.subject_id), round(distance, 4))


def _protected_means(references: Sequence[LikenessReference]) -> list[tuple[LikenessReference, np.ndarray]]:
    """Each protected person with several references: one of them and their mean embedding.

    A face can lie nearer the mean than any one photo (a blend of the photos' features); enrolment keeps
    newcomers away from it, and a scan holds such a face for the protected person. A talent's mean widens
    nothing: a face near it alone is not taken for them.
    """
    by_subject: dict[str, list[LikenessReference]] = {}
    for ref in references:
        if ref.subject_kind is SubjectKind.PROTECTED:
            by_subject.setdefault(ref.subject_id, []).append(ref)
    return [(refs[0], np.mean([r.embedding for r in refs], axis=0)) for refs in by_subject.values() if len(refs) > 1]
