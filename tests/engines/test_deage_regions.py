"""What a supervisor checks on a large de-aged still: the crow's feet at the temple and the lines up
to the brow are gone, a moustache is not lightened towards the skin, eyes and lips are exactly as
shot, and the person is kept.

The thresholds are ones the engine before this pass (1.2.0) did not meet, measured on the same
sample photos (its figures are given beside each).
"""

import cv2
import numpy as np
import pytest

from greenlight.domain import SubjectKind
from greenlight.engines.deage.geometry import EYE_L, EYE_R, LIPS_OUTER, FaceFrame
from greenlight.engines.deage.metrics import identity_distance
from greenlight.engines.deage.pipeline import deage_image
from greenlight.engines.deage.retouch import amounts_for
from greenlight.engines.deage.skinbands import normalise, skin_bands
from greenlight.likeness import reference_from_photo
from greenlight.media import load_image, save_image
from tests.conftest import copy_sample, sample_exists

MOUSTACHE = "alex_lacamoire/alex_lacamoire1.jpg"


def _deaged(faces, analyzer, tmp_path, rel: str):
    rgb = load_image(copy_sample(rel, tmp_path / rel.replace("/", "_"), faces))
    # Enrolled from the mirrored photo: the same person, not the same pixels.
    ref = save_image(tmp_path / "mirrored.png", np.ascontiguousarray(rgb[:, ::-1]))
    talent = np.asarray(reference_from_photo(ref, SubjectKind.TALENT, "talent", analyzer).embedding)[None]
    out, altered = deage_image(rgb, analyzer, talent, amounts_for(20))
    assert altered
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    return rgb, out, box, analyzer.landmarks(rgb, box)


@pytest.fixture(scope="module")
def biden(faces, analyzer, tmp_path_factory):
    return _deaged(faces, analyzer, tmp_path_factory.mktemp("biden"), "biden/biden.jpg")


@pytest.fixture(scope="module")
def lacamoire(faces, analyzer, tmp_path_factory):
    if not sample_exists(MOUSTACHE):
        pytest.skip(f"the sample folder has no {MOUSTACHE} (the only sample face with a moustache)")
    return _deaged(faces, analyzer, tmp_path_factory.mktemp("lacamoire"), MOUSTACHE)


def _band_rms(rgb: np.ndarray, pts: np.ndarray, patch) -> float:
    """RMS of the yardstick's σ 1–4 px band (face scaled to a 256-px jaw) over a patch of it."""
    face, local = normalise(rgb, pts)
    y = cv2.cvtColor(face, cv2.COLOR_RGB2YCrCb)[..., 0].astype(np.float32)
    band = cv2.GaussianBlur(y, (0, 0), 1.0) - cv2.GaussianBlur(y, (0, 0), 4.0)
    return float(np.sqrt(np.mean(band[patch(local)] ** 2)))


def _disc(centre: np.ndarray, radius: float):
    def patch(local: np.ndarray) -> tuple[slice, slice]:
        c = centre(local)
        return np.s_[int(c[1] - radius): int(c[1] + radius), int(c[0] - radius): int(c[0] + radius)]
    return patch


def _temple(local: np.ndarray) -> np.ndarray:
    # Beside the image-left eye's outer corner, towards the ear: the crow's feet.
    frame = FaceFrame.from_landmarks(local)
    return local[36] - 0.45 * frame.iod * frame.right + 0.05 * frame.iod * frame.down


def _upper_lid(local: np.ndarray) -> np.ndarray:
    # Between the upper lid's margin and the brow, over the middle of the image-right eye.
    return 0.5 * local[[43, 44]].mean(0) + 0.5 * local[[23, 24]].mean(0)


def test_the_crow_feet_at_the_temple_are_taken(biden):
    rgb, out, _, pts = biden
    patch = _disc(_temple, 14)
    # Engine 1.2.0 kept 67 % of this band here (the temple lay at its hull's feathered edge); 1.3.0 57 %.
    assert _band_rms(out, pts, patch) < 0.62 * _band_rms(rgb, pts, patch)


def test_the_lid_up_to_the_brow_is_retouched_and_the_eyes_and_lips_are_exactly_as_shot(biden):
    rgb, out, _, pts = biden
    patch = _disc(_upper_lid, 6)
    # Engine 1.2.0 left the lid up to the brow nearly as shot (95 % kept); 1.3.0 keeps 68 %.
    assert _band_rms(out, pts, patch) < 0.85 * _band_rms(rgb, pts, patch)
    for feature in (EYE_R, EYE_L, LIPS_OUTER):
        inside = np.zeros(rgb.shape[:2], np.uint8)
        cv2.fillPoly(inside, [np.round(pts[feature]).astype(np.int32)], 1)
        assert np.array_equal(out[inside > 0], rgb[inside > 0]), "eyes and lips must be left exactly as shot"


def test_a_large_still_loses_lines_not_pores_nor_the_person(biden, analyzer):
    rgb, out, box, pts = biden
    before, after = skin_bands(rgb, pts), skin_bands(out, pts)
    # Engine 1.2.0 on this photo: wrinkle RMS −31 %; 1.3.0: −33 %.
    assert after.wrinkle <= 0.68 * before.wrinkle
    assert after.fine >= 0.75 * before.fine, "pores and grain must stay (the issue's −25 % floor)"
    assert identity_distance(analyzer, rgb, out, box) <= 0.35


def test_a_moustache_is_not_lightened_towards_the_skin(lacamoire):
    rgb, out, _, pts = lacamoire
    frame = FaceFrame.from_landmarks(pts)
    # The moustache: the band between the nose's base and the upper lip, under the nostrils.
    top = pts[[31, 33, 35]].mean(0) + 0.12 * frame.iod * frame.down
    c = np.round(0.5 * top + 0.5 * pts[[50, 51, 52]].mean(0)).astype(int)
    r = max(2, int(0.05 * frame.iod))
    luma = lambda img: float(cv2.cvtColor(img[c[1] - r: c[1] + r, c[0] - 4 * r: c[0] + 4 * r],  # noqa: E731
                                          cv2.COLOR_RGB2YCrCb)[..., 0].mean())
    # Engine 1.2.0 lifted it by 8 levels (the hair pulled towards the skin's colour); 1.3.0 by 3.
    assert luma(out) - luma(rgb) < 5.0

