"""Enrolment from one reference photo: exactly one face, or a clear refusal naming the file."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from skimage import data

from greenlight.domain.registry import SubjectKind
from greenlight.errors import EnrolmentError, MediaError
from greenlight.likeness.enrol import reference_from_photo
from greenlight.media import save_image


def test_reference_carries_hash_box_and_embedding(faces_dir, analyzer):
    photo = faces_dir / "rose_leslie" / "rose_leslie2.jpg"
    ref = reference_from_photo(photo, SubjectKind.TALENT, "tal_rose", analyzer)
    assert ref.photo_sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert ref.subject_kind is SubjectKind.TALENT and ref.subject_id == "tal_rose"
    assert len(ref.embedding) == 128 and all(isinstance(x, float) for x in ref.embedding)
    left, top, right, bottom = ref.box
    assert 0 <= left < right <= 577 and 0 <= top < bottom <= 880


def test_photo_without_a_face_is_refused(tmp_path, analyzer):
    photo = save_image(tmp_path / "coffee.png", data.coffee())
    with pytest.raises(EnrolmentError, match=r"coffee\.png: no face found"):
        reference_from_photo(photo, SubjectKind.TALENT, "tal_x", analyzer)


def test_photo_with_several_faces_is_refused(faces_dir, analyzer):
    photo = faces_dir / "scenes" / "obama_and_biden.jpg"
    with pytest.raises(EnrolmentError) as caught:
        reference_from_photo(photo, SubjectKind.PROTECTED, "pp_x", analyzer)
    assert str(caught.value) == f"{photo}: 3 faces found; enrol from a photo that shows only this person"


def test_unknown_kind_is_refused(tmp_path, analyzer):
    photo = save_image(tmp_path / "astronaut.png", data.astronaut())
    with pytest.raises(EnrolmentError, match="unknown"):
        reference_from_photo(photo, SubjectKind.UNKNOWN, "x", analyzer)


def test_unreadable_photo_is_a_media_error(tmp_path, analyzer):
    photo = tmp_path / "face.jpg"
    photo.write_text("not a photo\n")
    with pytest.raises(MediaError, match="it is text"):
        reference_from_photo(photo, SubjectKind.TALENT, "tal_x", analyzer)


def test_astronaut_enrols_from_her_one_face(tmp_path, analyzer):
    photo = save_image(tmp_path / "astronaut.png", data.astronaut())
    ref = reference_from_photo(photo, SubjectKind.TALENT, "tal_eileen", analyzer)
    # Her mirrored photo is the same person (DEPENDENCIES.md: distance 0.20).
    mirrored = data.astronaut()[:, ::-1]
    (box,) = analyzer.detect(mirrored)
    assert np.linalg.norm(analyzer.embed(mirrored, box) - np.array(ref.embedding)) < 0.35
