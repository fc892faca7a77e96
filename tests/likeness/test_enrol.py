"""Enrolment from one reference photo: exactly one face, or a clear refusal naming the file."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from skimage import data

from greenlight.domain.registry import SubjectKind
from greenlight.errors import EnrolmentError, MediaError
from greenlight.likeness.enrol import reference_from_photo
from greenlight.media import load_image, save_image
from tests.conftest import sample_exists

SEVERAL = [pytest.param("two_shot", 2, id="obama-beside-biden"),
           *([pytest.param("scenes/obama_and_biden.jpg", 3, id="obama-and-biden")]
             if sample_exists("scenes/obama_and_biden.jpg") else [])]


def test_reference_carries_hash_box_and_embedding(faces_dir, analyzer):
    photo = faces_dir / "obama" / "obama2.jpg"
    ref = reference_from_photo(photo, SubjectKind.TALENT, "tal_barack", analyzer)
    assert ref.photo_sha256 == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert ref.subject_kind is SubjectKind.TALENT and ref.subject_id == "tal_barack"
    assert len(ref.embedding) == 128 and all(isinstance(x, float) for x in ref.embedding)
    left, top, right, bottom = ref.box
    height, width = load_image(photo).shape[:2]
    assert 0 <= left < right <= width and 0 <= top < bottom <= height


def test_photo_without_a_face_is_refused(tmp_path, analyzer):
    photo = save_image(tmp_path / "coffee.png", data.coffee())
    with pytest.raises(EnrolmentError, match=r"coffee\.png: no face found"):
        reference_from_photo(photo, SubjectKind.TALENT, "tal_x", analyzer)


@pytest.mark.parametrize(("scene", "count"), SEVERAL)
def test_photo_with_several_faces_is_refused(request, faces_dir, analyzer, scene, count):
    photo = request.getfixturevalue("two_shot") if scene == "two_shot" else faces_dir / scene
    with pytest.raises(EnrolmentError) as caught:
        reference_from_photo(photo, SubjectKind.PROTECTED, "pp_x", analyzer)
    assert str(caught.value) == f"{photo}: {count} faces found; enrol from a photo that shows only this person"


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
