"""A subtle, smooth reshaping of the lower face: jowls drawn in, upper cheeks a little fuller.

Each control point (a landmark on the jaw line or the cheek contour) carries a small displacement
measured in inter-ocular distances. A Gaussian-weighted (Shepard-normalised) blend of them gives a
smooth displacement field that is zero far from the jaw, then it is faded out over eyes, brows,
lips and nostrils (so they do not move at all) and outside the face region.
"""

from __future__ import annotations

import cv2
import numpy as np

from greenlight.engines.deage.geometry import FaceFrame

# (landmark, inward pull, upward lift) in IOD for the full amount. Negative inward = outward.
# Jowls (jaw points 4-6, 10-12) tighten and lift; the upper cheek contour (1-2, 14-15) fills out.
_CONTROLS = (
    (1, -0.025, 0.0), (2, -0.03, 0.0), (3, 0.0, 0.01),
    (4, 0.035, 0.02), (5, 0.05, 0.025), (6, 0.035, 0.02), (7, 0.01, 0.01),
    (9, 0.01, 0.01), (10, 0.035, 0.02), (11, 0.05, 0.025), (12, 0.035, 0.02),
    (13, 0.0, 0.01), (14, -0.03, 0.0), (15, -0.025, 0.0),
)


def displacement_field(
    shape: tuple[int, int], pts: np.ndarray, region: np.ndarray, protect: np.ndarray, amount: float
) -> np.ndarray:
    """The forward displacement of each crop pixel, in pixels.

    Args:
        shape: (height, width) of the crop.
        pts: (68, 2) smoothed landmarks, crop coordinates.
        region: where warping may act (the grown face hull matte), 0..1.
        protect: where nothing may move (the feature matte), 0..1.
        amount: 0..1 scale of the whole reshaping.

    Returns:
        (height, width, 2) float32 displacement; all zero when ``amount`` is 0.
    """
    field = np.zeros((*shape, 2), np.float32)
    if amount <= 0:
        return field
    frame = FaceFrame.from_landmarks(pts)
    # The field is smooth at the scale of a third of the eye distance: compute it on a coarse grid
    # (cheap) and resize, which is exact enough for a field this smooth.
    step = max(1, int(frame.iod / 12))
    gh, gw = (shape[0] + step - 1) // step, (shape[1] + step - 1) // step
    # Sample positions match cv2.resize's pixel-centre convention for the upsampling below.
    gy, gx = (np.mgrid[0:gh, 0:gw].astype(np.float32) + 0.5) * step - 0.5
    sigma2 = 2.0 * (0.32 * frame.iod) ** 2
    num = np.zeros((gh, gw, 2), np.float32)
    den = np.zeros((gh, gw), np.float32)
    mid_x = float(np.dot(pts[27:31].mean(0) - frame.center, frame.right))
    for idx, pull, lift in _CONTROLS:
        p = pts[idx]
        side = np.sign(np.dot(p - frame.center, frame.right) - mid_x) or 1.0
        d = amount * frame.iod * (-side * pull * frame.right - lift * frame.down)
        w = np.exp(-((gx - p[0]) ** 2 + (gy - p[1]) ** 2) / sigma2)
        num += w[..., None] * d.astype(np.float32)
        den += w
    coarse = num / np.maximum(den, 1.0)[..., None]
    field = cv2.resize(coarse, (gw * step, gh * step), interpolation=cv2.INTER_LINEAR)[: shape[0], : shape[1]]
    return field * (region * (1.0 - protect))[..., None]


def apply_warp(rgb: np.ndarray, field: np.ndarray, min_shift: float = 0.02) -> np.ndarray:
    """Warp a crop by a forward displacement field, leaving still pixels bit-identical.

    Args:
        rgb: float32 crop.
        field: (h, w, 2) forward displacement in pixels (from :func:`displacement_field`).
        min_shift: pixels that move less than this are copied, not resampled.

    Returns:
        The warped crop.
    """
    moving = np.hypot(field[..., 0], field[..., 1]) >= min_shift
    if not moving.any():
        return rgb
    h, w = field.shape[:2]
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    # Backward mapping: a pixel displaced by d is fetched from p - d (good for small, smooth d).
    warped = cv2.remap(rgb, gx - field[..., 0], gy - field[..., 1], cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    return np.where(moving[..., None], warped, rgb)
