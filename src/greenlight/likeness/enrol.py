"""Enrolling a likeness from one reference photo."""

from __future__ import annotations

from pathlib import Path

from greenlight.domain.registry import LikenessReference, SubjectKind
from greenlight.errors import EnrolmentError
from greenlight.likeness.faces import FaceAnalyzer
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
