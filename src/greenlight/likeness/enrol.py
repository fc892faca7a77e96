"""Enrolling a likeness from reference photos, and refusing photos that would enrol the wrong face."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from greenlight.domain.registry import LikenessReference, SubjectKind
from greenlight.errors import EnrolmentError
from greenlight.likeness.faces import FaceAnalyzer
from greenlight.likeness.gallery import MATCH_THRESHOLD, Gallery
from greenlight.media.files import file_sha256
from greenlight.media.images import load_image

ENROL_SEPARATION = 0.66
"""Smallest distance a new reference must keep from every reference (and the mean) of anyone else.

Wider than ``MATCH_THRESHOLD`` by a safety margin, so that a blend of an enrolled person and another
face cannot be enrolled as someone new and pass on that newcomer's consent. Measured on the sample
photos: different real people are 0.70 apart or more; blends of Obama with Rose Leslie, Joe Biden or
Lin-Manuel Miranda at 50 % lie 0.46–0.64 from Obama, and at 30 % 0.62–0.74 (a 30 % blend may enrol:
the match rule that asks consent of everyone within reach then stops its heavier variants). How much of
a face a blend must take depends on the two faces: Obama's face blended into the astronaut's photo is
0.73–0.76 from his photos at 50 % and enrols up to about 60 %. A scan holds a protected person within
reach of each reference and of their mean, as measured here (``Gallery.identify``'s ``measured_too``)."""


def reference_from_photo(
    path: str | Path, kind: SubjectKind, subject_id: str, analyzer: FaceAnalyzer
) -> LikenessReference:
    """Enrol the one face on a reference photo.

    Args:
        path: an image showing only the person to enrol.
        kind: TALENT or PROTECTED.
        subject_id: the talent or protected person the likeness belongs to.
        analyzer: the face analyzer to detect and embed with.

    Returns:
        A ``LikenessReference`` with the photo's SHA-256, the face box and its 128-d embedding.

    Raises:
        EnrolmentError: ``kind`` is UNKNOWN, or the photo shows no face or several faces.
        MediaError: the photo cannot be read.
    """
    path = Path(path)
    if kind is SubjectKind.UNKNOWN:
        raise EnrolmentError(f"{path}: cannot enrol a likeness of kind 'unknown'", "enrol talent or a protected person")
    rgb = load_image(path)
    faces = analyzer.detect(rgb)
    if not faces:
        raise EnrolmentError(f"{path}: no face found",
                             "enrol from a photo where the face is clearly visible and faces the camera")
    if len(faces) > 1:
        raise EnrolmentError(f"{path}: {len(faces)} faces found; enrol from a photo that shows only this person")
    box = faces[0]
    embedding = analyzer.embed(rgb, box)
    return LikenessReference(
        subject_kind=kind,
        subject_id=subject_id,
        photo_sha256=file_sha256(path),
        embedding=tuple(float(x) for x in embedding),
        box=(box.left, box.top, box.right, box.bottom),
    )


def check_enrolment(photos: Sequence[Path], new: Sequence[LikenessReference], gallery: Gallery) -> None:
    """Refuse reference photos that would put a face under the wrong name.

    A photo must look like the subject's other photos (those enrolled already and the others given
    with it), and a talent's photo must keep ``ENROL_SEPARATION`` from everyone else already
    enrolled: otherwise a protected person's face, or a blend of it, could be identified as a
    consenting talent and pass on that talent's consent. A protected person's photos are never
    refused for resembling someone else.

    Args:
        photos: the photos, in the order of ``new``.
        new: the references made from them, all of one subject.
        gallery: everyone enrolled so far, named.

    Raises:
        EnrolmentError: naming the photo, the distance and whom it resembles instead.
    """
    for photo, ref in zip(photos, new, strict=True):
        name = gallery.names.get(ref.subject_id, ref.subject_id)
        own = [r for r in (*gallery.references, *new) if r.subject_id == ref.subject_id and r is not ref]
        if own:
            distance = min(_distance(ref, r) for r in own)
            if distance > MATCH_THRESHOLD:
                raise EnrolmentError(
                    f"{photo}: this face does not look like the other photos of {name} (distance {distance:.2f})",
                    "enrol only photos of this one person",
                )
        # A protected person is registered whoever else is enrolled near them: refusing would let a
        # talent enrolled first (a blend, say) keep the protected face for itself. Faces near both
        # then need the protected person's consent too (Gallery.identify).
        if ref.subject_kind is SubjectKind.TALENT and (close := _closest_other(ref, gallery)) is not None:
            who = gallery.names.get(close[1], close[1])
            how = "matches" if close[0] <= MATCH_THRESHOLD else "is too close to"
            raise EnrolmentError(
                f"{photo}: this face {how} {who}, already enrolled (distance {close[0]:.2f}; "
                f"{ENROL_SEPARATION} or more is needed)",
                f"a face is enrolled under one name only: check that the photo shows {name} alone, unaltered",
            )


def _closest_other(ref: LikenessReference, gallery: Gallery) -> tuple[float, str] | None:
    """The nearest other subject within ``ENROL_SEPARATION`` of any of their references or their mean."""
    embedding = np.asarray(ref.embedding)
    by_subject: dict[str, list[np.ndarray]] = {}
    for other in gallery.references:
        if other.subject_id != ref.subject_id:
            by_subject.setdefault(other.subject_id, []).append(np.asarray(other.embedding))
    found = []
    for subject, embeddings in by_subject.items():
        points = [*embeddings, np.mean(embeddings, axis=0)]
        distance = min(float(np.linalg.norm(embedding - p)) for p in points)
        if distance < ENROL_SEPARATION:
            found.append((distance, subject))
    return min(found) if found else None


def _distance(a: LikenessReference, b: LikenessReference) -> float:
    return float(np.linalg.norm(np.asarray(a.embedding) - np.asarray(b.embedding)))
