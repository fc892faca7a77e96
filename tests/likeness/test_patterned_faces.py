"""Issue 7, class 1: a face seen through a fine regular pattern (blinds, bars, a fence, an LED wall, halftone print).

An outside attacker laid such patterns over Obama's photo: a person sees the face at a glance, the scan found none
and allowed the picture. The patterns are drawn at test time over the sample photos; the scenery pictures and the
sample photos with their exact face counts are the must-pass side (``test_unseen_faces.py``), re-run unchanged.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from greenlight.domain.registry import SubjectKind
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.scan import scan_image
from greenlight.media.images import load_image, save_image


def blinds(rgb: np.ndarray, period: int, bar: int, shade: int = 20) -> np.ndarray:
    out = rgb.copy()
    for y in range(0, out.shape[0], period):
        out[y:y + bar] = shade
    return out


def bars(rgb: np.ndarray, period: int, bar: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(blinds(np.ascontiguousarray(np.rot90(rgb)), period, bar), -1))


def fence(rgb: np.ndarray, period: int, thickness: int, shade: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    wire = np.zeros((height, width), np.uint8)
    for k in range(-width - height, width + height, period):
        cv2.line(wire, (k, 0), (k + height, height), 255, thickness)
        cv2.line(wire, (k, height), (k + height, 0), 255, thickness)
    mix = wire[..., None] / 255.0
    return (rgb * (1 - mix) + shade * mix).astype(np.uint8)


def led_wall(rgb: np.ndarray, pitch: int) -> np.ndarray:
    """The picture as a wall of round LEDs ``pitch`` px apart, black between them."""
    yy, xx = np.mgrid[:rgb.shape[0], :rgb.shape[1]]
    lit = ((yy % pitch - pitch / 2) ** 2 + (xx % pitch - pitch / 2) ** 2) <= (pitch * 0.4) ** 2
    return (rgb * lit[..., None]).astype(np.uint8)


def halftone(rgb: np.ndarray, cell: int) -> np.ndarray:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    out = np.full_like(grey, 255)
    for y in range(0, grey.shape[0], cell):
        for x in range(0, grey.shape[1], cell):
            radius = (1 - grey[y:y + cell, x:x + cell].mean() / 255) * cell * 0.65
            if radius > 0.3:
                cv2.circle(out, (x + cell // 2, y + cell // 2), int(round(radius)), 0, -1)
    return cv2.cvtColor(out, cv2.COLOR_GRAY2RGB)


def halved(rgb: np.ndarray) -> np.ndarray:
    return cv2.resize(rgb, (rgb.shape[1] // 2, rgb.shape[0] // 2), interpolation=cv2.INTER_AREA)


PATTERNS = {
    "blinds-8-4": lambda rgb: blinds(halved(rgb), 8, 4),
    "blinds-16-8-full-size": lambda rgb: blinds(rgb, 16, 8),
    "blinds-8-4-white": lambda rgb: blinds(halved(rgb), 8, 4, shade=235),
    "bars-10-4": lambda rgb: bars(halved(rgb), 10, 4),
    "fence-14-4-dark": lambda rgb: fence(halved(rgb), 14, 4, 60),
    "led-wall-5": lambda rgb: led_wall(halved(rgb), 5),
    "halftone-5": lambda rgb: halftone(halved(rgb), 5),
    "blinds-8-4-on-its-side": lambda rgb: np.ascontiguousarray(np.rot90(blinds(halved(rgb), 8, 4))),
}


@pytest.fixture(scope="module")
def obama_gallery(faces, analyzer) -> Gallery:
    from greenlight.likeness.enrol import reference_from_photo

    return Gallery([reference_from_photo(faces / "obama" / "obama.jpg", SubjectKind.PROTECTED, "obama", analyzer)],
                   {"obama": "Barack Obama"})


@pytest.mark.parametrize("photo", ["obama/obama.jpg", "obama/obama2.jpg"])
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_a_face_behind_a_fine_pattern_is_found_and_never_taken_for_talent(photo, pattern, faces, obama_gallery,
                                                                          analyzer, tmp_path):
    rgb = PATTERNS[pattern](load_image(faces / photo))
    path = save_image(tmp_path / f"{pattern}.png", rgb)
    found = scan_image(path, obama_gallery, analyzer).faces
    assert found, f"{photo} behind {pattern}: no face found"
    assert all(f.identity.kind in (SubjectKind.PROTECTED, SubjectKind.UNKNOWN) for f in found)
