"""The supervisor's yardstick (wrinkle energy, fine texture) and what the de-aging pass must do to it.

The yardstick is checked on images whose answer is known in closed form; the pass is checked on the
astronaut at 20 years, with thresholds the engine before the face-scale retouch did not meet (it took
14 % of the wrinkle energy away).
"""

import cv2
import numpy as np
import pytest
from skimage import data

from greenlight.domain import SubjectKind
from greenlight.engines.deage import DeageEngine
from greenlight.engines.deage.geometry import face_unit
from greenlight.engines.deage.mesh import LOWER_LID, bag_outlines, mesh_points
from greenlight.engines.deage.metrics import identity_distance
from greenlight.engines.deage.pipeline import deage_image
from greenlight.engines.deage.retouch import amounts_for, base_layers, line_likeness, retouch
from greenlight.engines.deage.skinbands import FACE_WIDTH, skin_bands, skin_polygon
from greenlight.engines.deage.tracking import talent_distance
from greenlight.likeness import reference_from_photo
from greenlight.media import save_image

from .test_deage_parts import FACE

# The astronaut's landmarks scaled so the jaw spans exactly 256 px: the yardstick then measures the
# image as it is, without resampling, and the Gaussians' response is known exactly.
SPAN = float(np.hypot(*(FACE[16] - FACE[0])))
BIG = (FACE - FACE.min(axis=0)) * (FACE_WIDTH / SPAN) + 150


def _gaussian_gain(sigma: float, freq: float) -> float:
    return float(np.exp(-2 * np.pi**2 * sigma**2 * freq**2))


def test_flat_skin_has_no_wrinkles_and_no_texture():
    grey = np.full((700, 700, 3), 150, np.uint8)
    bands = skin_bands(grey, BIG)
    assert bands.wrinkle == pytest.approx(0.0, abs=1e-4) and bands.fine == pytest.approx(0.0, abs=1e-4)


def test_stripes_give_the_closed_form_energy():
    # Grey stripes of period 8 px and amplitude 20 levels: a difference of Gaussians passes
    # exp(-2π²σ²f²) at σ 1 less that at σ 4, and the RMS of a sine is its amplitude / √2.
    x = np.arange(700)
    stripes = np.round(128 + 20 * np.sin(2 * np.pi * x / 8.0)).astype(np.uint8)
    rgb = np.repeat(np.tile(stripes, (700, 1))[..., None], 3, axis=-1)
    bands = skin_bands(rgb, BIG)
    f = 1 / 8.0
    assert bands.wrinkle == pytest.approx(20 / np.sqrt(2) * (_gaussian_gain(1, f) - _gaussian_gain(4, f)), rel=0.03)
    assert bands.fine == pytest.approx(20 / np.sqrt(2) * (1 - _gaussian_gain(1, f)), rel=0.05)


def test_the_region_is_cheeks_and_forehead_without_eyes_brows_or_mouth():
    region = skin_polygon((700, 700), BIG)
    cheek = np.round((BIG[2] + BIG[31]) / 2).astype(int)
    forehead = np.round(BIG[19:25].mean(0) - [0, 40]).astype(int)
    for p in (cheek, forehead):
        assert region[p[1], p[0]]
    for p in (BIG[36:42].mean(0), BIG[42:48].mean(0), BIG[48:60].mean(0), BIG[19]):
        assert not region[round(p[1]), round(p[0])]
    assert not region[10, 10]


def test_lines_drawn_on_a_face_raise_the_wrinkle_energy():
    rgb = data.astronaut()
    before = skin_bands(rgb, FACE)
    lined = rgb.copy()
    # Forehead lines and nasolabial folds, one pixel wide and darker than the skin.
    for y in (66, 71, 76, 81):
        cv2.line(lined, (195, y), (255, y + 2), (150, 110, 95), 1, cv2.LINE_AA)
    for a, b in (((212, 128), (203, 150)), ((237, 129), (246, 150))):
        cv2.line(lined, a, b, (150, 110, 95), 1, cv2.LINE_AA)
    after = skin_bands(lined, FACE)
    assert after.wrinkle > 1.1 * before.wrinkle
    assert skin_bands(rgb, FACE) == before, "the measure is deterministic"


def test_the_unit_follows_the_face_not_the_frame():
    assert face_unit(FACE) == pytest.approx(SPAN / 256)
    assert face_unit(FACE * 3) == pytest.approx(3 * SPAN / 256)


@pytest.fixture(scope="module")
def engine() -> DeageEngine:
    return DeageEngine()


def test_twenty_years_off_the_astronaut_take_lines_not_pores_nor_the_person(engine, tmp_path):
    rgb = data.astronaut()
    analyzer = engine.analyzer
    ref = save_image(tmp_path / "mirrored.png", np.ascontiguousarray(rgb[:, ::-1]))
    talent = np.asarray(reference_from_photo(ref, SubjectKind.TALENT, "eileen", analyzer).embedding)[None]
    out, faces = deage_image(rgb, analyzer, talent, amounts_for(20))
    assert faces
    box = min(analyzer.detect(rgb), key=lambda b: talent_distance(analyzer.embed(rgb, b), talent))
    pts = analyzer.landmarks(rgb, box)
    before, after = skin_bands(rgb, pts), skin_bands(out, pts)
    # The engine before the face-scale retouch: -14 % wrinkle energy, -11 % fine texture.
    assert after.wrinkle <= 0.82 * before.wrinkle, "lines at the face's own scale must go"
    assert after.fine >= 0.8 * before.fine, "pores and grain must stay"
    assert identity_distance(analyzer, rgb, out, box) <= 0.35


def test_a_second_pass_gets_each_crop_and_has_the_last_word(engine):
    rgb = data.astronaut()
    analyzer = engine.analyzer
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    talent = np.asarray(analyzer.embed(rgb, box))[None]
    seen = []

    def undo(source, classical, pts, skin, strength):
        seen.append((source.shape == classical.shape == (*skin.shape, 3), pts.shape, strength,
                     bool(np.abs(classical - source).max() > 0)))
        return source

    out, faces = deage_image(rgb, analyzer, talent, amounts_for(20), refiner=lambda: undo)
    assert faces and seen == [(True, (68, 2), 1.0, True)]
    assert np.array_equal(out, rgb), "what the second pass returns is what is written"


def test_facemesh_outlines_the_bags_under_each_eye_and_sees_no_face_in_a_wall():
    rgb = data.astronaut()
    mesh = mesh_points(rgb, FACE)
    assert mesh is not None and mesh.shape == (468, 2)
    for outline, eye, lid in zip(bag_outlines(mesh), (FACE[36:42], FACE[42:48]), LOWER_LID, strict=True):
        centre = outline.mean(axis=0)
        # Below the lower lid (image y grows downwards), above the nose tip, within the eye's width.
        assert mesh[list(lid), 1].mean() + 1 < centre[1] < FACE[30, 1]
        assert abs(mesh[list(lid), 1].mean() - eye[3:, 1].mean()) < 3, "FaceMesh's lid is dlib's lid"
        assert eye[:, 0].min() - 5 < centre[0] < eye[:, 0].max() + 5
    assert mesh_points(np.full_like(rgb, 128), FACE) is None


def _skin_with_a_line_and_a_freckle() -> np.ndarray:
    rgb = np.full((120, 200, 3), (200, 150, 130), np.uint8)
    cv2.line(rgb, (20, 60), (90, 60), (150, 105, 90), 3, cv2.LINE_AA)
    cv2.circle(rgb, (150, 60), 2, (150, 105, 90), -1, cv2.LINE_AA)
    return rgb.astype(np.float32) / 255


def test_a_line_reads_as_a_line_and_a_freckle_as_a_spot():
    y = cv2.cvtColor(_skin_with_a_line_and_a_freckle(), cv2.COLOR_RGB2YCrCb)[..., 0]
    coherence = line_likeness(np.ascontiguousarray(y), 1.0)
    assert coherence[58:63, 40:70].max() > 0.9
    assert coherence[57:64, 147:154].mean() < 0.4


def test_the_retouch_takes_the_line_and_keeps_most_of_the_freckle():
    rgb = _skin_with_a_line_and_a_freckle()
    skin = np.ones(rgb.shape[:2], np.float32)
    y = np.ascontiguousarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)[..., 0])
    amounts = amounts_for(20)
    # On a face whose jaw spans 256 px (IOD ≈ 122 px, 3.4 × the 360p reference), both are a few
    # units across: the line band.
    layers = base_layers(y, skin, 3.4, 1.0)
    out = retouch(rgb, layers, np.zeros_like(skin), skin, 1.0, amounts)
    depth = lambda img, sl: float(img[0, 0].mean() - img[sl].mean(axis=-1).min())  # noqa: E731
    line, dot = np.s_[55:66, 40:70], np.s_[55:66, 145:156]
    kept_line, kept_dot = depth(out, line) / depth(rgb, line), depth(out, dot) / depth(rgb, dot)
    assert kept_line < 0.6 and kept_dot > kept_line + 0.15
