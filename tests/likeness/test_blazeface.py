"""BlazeFace through LiteRT or OpenCV: anchors, decoding, keypoints, quarter turns mapped back, FaceMesh's check."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from greenlight.likeness import blazeface, sweep
from greenlight.likeness.align import face_presence
from greenlight.likeness.detector import upright_chip

# The astronaut's face box, from dlib, and where her eyes are (looked up on the picture).
FACE = (175, 76, 266, 167)
EYES = ((203, 112), (241, 112))


def test_anchor_grids_match_the_models():
    assert len(blazeface.anchors("short")) == 896
    assert len(blazeface.anchors("back")) == 896
    assert len(blazeface.anchors("full")) == 2304
    assert blazeface.anchors("full").min() > 0 and blazeface.anchors("full").max() < 1


@pytest.mark.parametrize("model", ["full", "short", "back"])
def test_astronaut_face_box_and_eyes(model):
    (face,) = blazeface.detect(data.astronaut(), model)
    assert face.score > 0.8
    assert abs(face.centre[0] - (FACE[0] + FACE[2]) / 2) < 15 and abs(face.centre[1] - (FACE[1] + FACE[3]) / 2) < 20
    for (x, y), (ex, ey) in zip(face.keypoints[:2], EYES, strict=True):
        assert abs(x - ex) < 12 and abs(y - ey) < 12
    assert abs(face.roll()) < 12


def _turned_point(x: float, y: float, k: int, size: int = 512) -> tuple[float, float]:
    """Where a point of the 512² astronaut lies once the picture is turned k quarter turns counter-clockwise."""
    return {1: (y, size - x), 2: (size - x, size - y), 3: (size - y, x)}[k]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_a_turned_face_is_found_by_the_turn_that_undoes_it(k):
    rotated = np.ascontiguousarray(np.rot90(data.astronaut(), k))
    (found,) = sweep.detect_in(rotated, (0, 0, 512, 512), (4 - k) % 4)
    for (x, y), eye in zip(found.keypoints[:2], EYES, strict=True):
        ex, ey = _turned_point(*eye, k)
        assert abs(x - ex) < 12 and abs(y - ey) < 12
    assert abs((found.roll() - {1: -90, 2: 180, 3: 90}[k] + 180) % 360 - 180) < 15


def test_a_face_on_its_side_is_turned_upright_by_its_eyes():
    rgb = np.ascontiguousarray(np.rot90(data.astronaut(), 1))  # the face lies on its side
    (found,) = sweep.detect_in(rgb, (0, 0, rgb.shape[1], rgb.shape[0]), 3)
    assert abs(abs(found.roll()) - 90) < 15
    chip, box = upright_chip(rgb, found)
    (again,) = blazeface.detect(chip)
    assert abs(again.roll()) < 12 and box.width > 50


def test_facemesh_tells_a_face_from_a_chance_hit():
    (face,) = blazeface.detect(data.astronaut())
    assert face_presence(data.astronaut(), face) > 0.9
    hits = [f.detection for f in sweep.sweep(data.coffee(), negative=False)]
    assert hits, "BlazeFace is expected to fire on the coffee picture's tiles"
    assert all(face_presence(data.coffee(), d) < 0.1 for d in hits)


def test_tiles_cover_the_picture_with_overlap():
    cover = np.zeros((2160, 3840), bool)
    for x0, y0, x1, y1 in sweep.tiles(2160, 3840, 444):
        assert x1 - x0 == 444 and y1 - y0 == 444
        cover[y0:y1, x0:x1] = True
    assert cover.all()
    sides = [level.side for level in sweep.levels(2160, 3840)]
    assert sides[0] == 3840 and sides[-1] * sweep.FACE_FRACTION["back"] <= sweep.MIN_FACE_PX


@pytest.mark.skipif(blazeface.backend() != "litert", reason="ai-edge-litert is not installed")
@pytest.mark.parametrize("model", ["full", "short", "back"])
def test_litert_and_opencv_find_the_same_faces(model, faces_dir, monkeypatch):
    import cv2

    pictures = [data.astronaut(), cv2.cvtColor(cv2.imread(str(faces_dir / "obama" / "obama.jpg")), cv2.COLOR_BGR2RGB),
                np.rot90(data.astronaut()).copy(), data.coffee()]
    litert = [blazeface.detect(p, model, 0.3) for p in pictures]
    mesh_litert = [face_presence(p, d) for p, found in zip(pictures, litert, strict=True) for d in found]
    monkeypatch.setattr(blazeface, "backend", lambda: "opencv")
    blazeface._net.cache_clear()
    try:
        opencv = [blazeface.detect(p, model, 0.3) for p in pictures]
        mesh_opencv = [face_presence(p, d) for p, found in zip(pictures, litert, strict=True) for d in found]
    finally:
        blazeface._net.cache_clear()
    assert sum(map(len, opencv)) >= 3
    assert np.allclose(mesh_litert, mesh_opencv, atol=1e-3) and max(mesh_opencv) > 0.9  # FaceMesh's face flag
    for a, b in zip(litert, opencv, strict=True):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert abs(x.score - y.score) < 1e-3
            assert np.allclose([x.left, x.top, x.right, x.bottom], [y.left, y.top, y.right, y.bottom], atol=0.05)
            assert np.allclose(x.keypoints, y.keypoints, atol=0.05)


@pytest.mark.parametrize("shape", [(360, 640), (1080, 1920), (361, 641), (200, 100)])
def test_a_large_picture_is_shrunk_for_the_model_as_one_area_average_would(shape):
    # Halving first is quicker; the model must see what one area average gives, to a level or two.
    import cv2

    rgb = cv2.resize(data.astronaut(), shape[::-1], interpolation=cv2.INTER_LINEAR)
    size = (192, round(192 * shape[0] / shape[1]))
    ours = blazeface._resized(rgb, size).astype(int)
    way = cv2.INTER_AREA if size[0] < shape[1] else cv2.INTER_LINEAR  # an enlargement is interpolated
    direct = cv2.resize(rgb, size, interpolation=way).astype(int)
    assert ours.shape == direct.shape
    assert np.abs(ours - direct).mean() < 2.5
