"""What a supervisor sees in a de-aged face, measured independently of how the engine works.

Both measures are taken on the face scaled so its jaw line (68-point landmarks 0 to 16) is 256 px
across, whatever the shot size, over a cheek-and-forehead skin polygon:

* the polygon is the jaw line closed by the brows raised by 45 % of the nose-to-chin height (nose
  tip, point 30, to chin, point 8), with the eyes, brows and mouth cut out;
* **wrinkle energy** is the RMS of a difference of Gaussians (σ 1 and 4 px) of the luminance in
  it: lines, creases, crow's feet, the edges of bags and folds;
* **fine texture** is the RMS of the band below σ 1 px: pores, fine grain, stubble.

The cut-outs and the polygon's edge are taken in by 8 px (twice the wider σ), so the response to an
eyelash or the jaw's edge against the background is not counted as a wrinkle. Luminance is BT.601
luma in 8-bit levels (0..255).

The engine never imports this module: it is the yardstick for ``bench/deage.py`` and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from greenlight.engines.deage.geometry import BROW_L, BROW_R, EYE_L, EYE_R, JAW, LIPS_OUTER, FaceFrame

FACE_WIDTH = 256.0  # px: the jaw line's span the face is scaled to before measuring
FOREHEAD = 0.45  # the brows are raised by this share of the nose-to-chin height
WRINKLE_SIGMAS = (1.0, 4.0)
MARGIN = 8  # px at FACE_WIDTH: edges this close to a cut-out or the outline are not measured


@dataclass(frozen=True)
class SkinBands:
    """The two measures of one face (8-bit luma levels, RMS)."""

    wrinkle: float
    fine: float


def normalise(rgb: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The face cut out and scaled so the jaw line spans ``FACE_WIDTH`` px.

    Args:
        rgb: uint8 RGB frame.
        pts: (68, 2) landmarks of the face on ``rgb``.

    Returns:
        (the scaled crop, the landmarks in its pixels).
    """
    k = FACE_WIDTH / max(float(np.hypot(*(pts[16] - pts[0]))), 1.0)
    chin = float(np.hypot(*(pts[8] - pts[30])))
    lo = pts.min(axis=0) - (FOREHEAD * chin + MARGIN / k + 4)
    hi = pts.max(axis=0) + MARGIN / k + 4
    x0, y0 = max(0, int(lo[0])), max(0, int(lo[1]))
    x1, y1 = min(rgb.shape[1], int(np.ceil(hi[0]))), min(rgb.shape[0], int(np.ceil(hi[1])))
    crop = rgb[y0:y1, x0:x1]
    size = (max(1, round(crop.shape[1] * k)), max(1, round(crop.shape[0] * k)))
    scaled = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)
    return scaled, (pts - [x0, y0] + 0.5) * [size[0] / crop.shape[1], size[1] / crop.shape[0]] - 0.5


def skin_polygon(shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
    """The boolean cheek-and-forehead region, in the pixels of ``pts`` (usually :func:`normalise`'s).

    Args:
        shape: (height, width) of the image.
        pts: (68, 2) landmarks.
    """
    frame = FaceFrame.from_landmarks(pts)
    lift = FOREHEAD * float(np.hypot(*(pts[8] - pts[30])))
    brows = np.concatenate([pts[BROW_R], pts[BROW_L]]) - lift * frame.down
    outline = np.concatenate([pts[JAW], brows[::-1]])
    region = np.zeros(shape, np.uint8)
    cv2.fillPoly(region, [np.round(outline).astype(np.int32)], 1)
    cut = np.zeros(shape, np.uint8)
    for part in (EYE_R, EYE_L, LIPS_OUTER):
        cv2.fillPoly(cut, [np.round(pts[part]).astype(np.int32)], 1)
    for brow in (BROW_R, BROW_L):
        cv2.polylines(cut, [np.round(pts[brow]).astype(np.int32)], False, 1, 3)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * MARGIN + 1,) * 2)
    region = cv2.erode(region, disc) & (1 - cv2.dilate(cut, disc))
    return region.astype(bool)


def skin_bands(rgb: np.ndarray, pts: np.ndarray) -> SkinBands:
    """Wrinkle energy and fine texture of one face (see the module docstring).

    Args:
        rgb: uint8 RGB frame.
        pts: (68, 2) landmarks; measure a result with the *source's* landmarks, so both are
            measured over the same skin.

    Returns:
        The two RMS values; zeros when the region is empty (a face too small or cut off).
    """
    face, local = normalise(rgb, pts)
    y = cv2.cvtColor(face, cv2.COLOR_RGB2YCrCb)[..., 0].astype(np.float32)
    region = skin_polygon(y.shape, local)
    if not region.any():
        return SkinBands(0.0, 0.0)
    g1 = cv2.GaussianBlur(y, (0, 0), WRINKLE_SIGMAS[0])
    g4 = cv2.GaussianBlur(y, (0, 0), WRINKLE_SIGMAS[1])
    return SkinBands(wrinkle=_rms(g1 - g4, region), fine=_rms(y - g1, region))


def _rms(band: np.ndarray, region: np.ndarray) -> float:
    return float(np.sqrt(np.mean(band[region] ** 2)))
