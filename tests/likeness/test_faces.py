"""Face detection (HOG proposals confirmed by the CNN), landmarks and embeddings."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from greenlight.domain.scan import Box
from greenlight.likeness import models
from greenlight.likeness.faces import FaceAnalyzer, grey

# The mission patch on the astronaut's suit, where dlib's HOG detector fires (score 0.12 on RGB with
# one upsampling; just under 0 on greyscale).
PATCH = Box(126, 335, 216, 426)


def test_astronaut_has_one_face_and_the_patch_is_not_one(analyzer):
    (face,) = analyzer.detect(data.astronaut())
    assert face.iou(Box(175, 76, 266, 167)) > 0.7
    assert face.iou(PATCH) == 0


def test_patch_proposed_by_hog_is_rejected_by_the_cnn():
    eager = FaceAnalyzer(hog_threshold=-0.5)
    proposed = eager.candidates(grey(data.astronaut()))
    assert any(c.box.iou(PATCH) > 0.5 for c in proposed), "the patch should be a HOG candidate at -0.5"
    assert not eager.confirm(data.astronaut(), PATCH)
    assert [b for b in eager.detect(data.astronaut()) if b.iou(PATCH) > 0] == []
    # Without the CNN check the patch would have been taken for a face.
    assert any(b.iou(PATCH) > 0.5 for b in FaceAnalyzer(hog_threshold=-0.5, confirm=False).detect(data.astronaut()))


@pytest.mark.parametrize("name", ["coffee", "chelsea", "rocket"])
def test_pictures_without_people_have_no_faces(analyzer, name):
    assert analyzer.detect(getattr(data, name)()) == []


def test_small_face_in_a_small_image_is_found(analyzer):
    # The astronaut's face shrunk to ~45 px, below the 80 px HOG window: found thanks to upsampling.
    small = cv2.resize(data.astronaut(), (256, 256), interpolation=cv2.INTER_AREA)
    (face,) = analyzer.detect(small)
    assert 35 <= face.width <= 60


def test_landmarks_lie_on_the_face(analyzer):
    rgb = data.astronaut()
    (face,) = analyzer.detect(rgb)
    points = analyzer.landmarks(rgb, face)
    assert points.shape == (68, 2)
    pad = 0.25 * face.width  # HOG boxes are tight: the chin lies a little below
    inside = ((points[:, 0] >= face.left - pad) & (points[:, 0] <= face.right + pad)
              & (points[:, 1] >= face.top - pad) & (points[:, 1] <= face.bottom + pad))
    assert inside.all()
    left_eye, right_eye = points[36:42].mean(axis=0), points[42:48].mean(axis=0)
    assert left_eye[0] < right_eye[0] and abs(left_eye[1] - right_eye[1]) < 15


def test_embedding_is_128_d_and_stable(analyzer):
    rgb = data.astronaut()
    (face,) = analyzer.detect(rgb)
    a, b = analyzer.embed(rgb, face), analyzer.embed(rgb.copy(), face)
    assert a.shape == (128,) and a.dtype == np.float64
    np.testing.assert_allclose(a, b)


def test_models_load_lazily_once_from_the_wheel_folder():
    assert (models.models_dir() / "mmod_human_face_detector.dat").is_file()
    assert models.hog_detector() is models.hog_detector()
    assert models.face_encoder() is models.face_encoder()
    assert models.shape_predictor_5() is models.shape_predictor_5()


def test_sample_photos_show_one_face_each(faces_dir, analyzer):
    from greenlight.media import load_image

    for photo in sorted(faces_dir.glob("*/*")):
        if photo.suffix in (".jpg", ".png") and photo.parent.name != "scenes":
            assert len(analyzer.detect(load_image(photo))) == 1, photo.name
