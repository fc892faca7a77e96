"""Measures of a de-aging result, shared by the tests and ``bench/deage.py``.

* wrinkle energy: mean squared band-pass (difference of Gaussians, σ 1 and 5 px at 360p scale,
  by normalised convolution over skin pixels only) of the luminance over the inner skin matte:
  the lines and creases the retouch should reduce;
* identity distance: embedding distance between the same face before and after;
* flicker: mean absolute frame-to-frame difference of the low-passed face, after the previous
  frame is aligned onto the current one by a similarity fitted to the landmarks (so head motion
  does not count), over the inner skin matte.
"""

from __future__ import annotations

import cv2
import numpy as np

from greenlight.engines.deage.geometry import FaceFrame, crop_box
from greenlight.engines.deage.masks import face_mattes


def _luma(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2YCrCb)[..., 0]


def skin_core(shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
    """Boolean inner skin region of a face (skin matte > 0.9), for measuring, frame coordinates.

    Args:
        shape: (height, width) of the frame.
        pts: (68, 2) landmarks of the face.
    """
    frame = FaceFrame.from_landmarks(pts)
    box = crop_box(pts, frame, shape[1], shape[0], margin=0.3)
    out = np.zeros(shape, bool)
    local = pts - np.array([box.left, box.top], np.float64)
    out[box.top : box.bottom, box.left : box.right] = face_mattes((box.height, box.width), local).skin > 0.9
    return out


def wrinkle_energy(rgb: np.ndarray, pts: np.ndarray, region: np.ndarray | None = None) -> float:
    """Band-pass (wrinkle-scale) energy of the luminance over a face's inner skin.

    Args:
        rgb: uint8 frame.
        pts: (68, 2) landmarks (use the *source* landmarks for both before and after).
        region: boolean region to measure in (default: :func:`skin_core`).

    Returns:
        Mean squared difference-of-Gaussians response (luminance 0..1 squared).
    """
    s = FaceFrame.from_landmarks(pts).scale
    y = _luma(rgb)
    mask = skin_core(y.shape, pts) if region is None else region
    if not mask.any():
        return 0.0
    # Normalised convolution: only skin pixels enter the Gaussians, so a brow or a nostril next
    # to the region does not leak its (large) edge response into the skin's energy.
    m = mask.astype(np.float32)

    def blur(sigma: float) -> np.ndarray:
        return cv2.GaussianBlur(y * m, (0, 0), sigma) / np.maximum(cv2.GaussianBlur(m, (0, 0), sigma), 1e-3)

    dog = blur(1.0 * s) - blur(5.0 * s)
    return float(np.mean(dog[mask] ** 2))


def identity_distance(analyzer, before: np.ndarray, after: np.ndarray, box) -> float:
    """Embedding distance between one face before and after, embedded at the same box.

    Args:
        analyzer: a face analyzer with ``embed(rgb, box)``.
        before, after: uint8 frames.
        box: the face's box.
    """
    return float(np.linalg.norm(np.asarray(analyzer.embed(before, box)) - np.asarray(analyzer.embed(after, box))))


def aligned_difference(prev: np.ndarray, cur: np.ndarray, prev_pts: np.ndarray, cur_pts: np.ndarray,
                       region: np.ndarray) -> float:
    """Motion-compensated temporal difference of a face between two frames.

    Args:
        prev, cur: consecutive uint8 frames.
        prev_pts, cur_pts: the face's landmarks on each (the *source* landmarks, for both the
            source and the output, so alignment error counts the same for both).
        region: boolean region on ``cur`` to measure in.

    Returns:
        Mean absolute difference of the low-passed luminance (0..1 scale) in ``region``.
    """
    s = FaceFrame.from_landmarks(cur_pts).scale
    m, _ = cv2.estimateAffinePartial2D(prev_pts, cur_pts, method=cv2.LMEDS)
    if m is None or not region.any():
        return 0.0
    h, w = cur.shape[:2]
    a = cv2.GaussianBlur(cv2.warpAffine(_luma(prev), m, (w, h), flags=cv2.INTER_LINEAR), (0, 0), 1.0 * s)
    b = cv2.GaussianBlur(_luma(cur), (0, 0), 1.0 * s)
    return float(np.mean(np.abs(a - b)[region]))
