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
    with it), and must not match anyone else already enrolled: otherwise a protected person's face
    could be identified as a consenting talent, and pass on that talent's consent.

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
        others = [(_distance(ref, r), r.subject_id) for r in gallery.references if r.subject_id != ref.subject_id]
        if others and (nearest := min(others))[0] <= MATCH_THRESHOLD:
            who = gallery.names.get(nearest[1], nearest[1])
            raise EnrolmentError(
                f"{photo}: this face matches {who}, already enrolled (distance {nearest[0]:.2f})",
                f"a face is enrolled under one name only: check that the photo shows {name}",
            )


def _distance(a: LikenessReference, b: LikenessReference) -> float:
    return float(np.linalg.norm(np.asarray(a.embedding) - np.asarray(b.embedding)))
