"""Temporal smoothing of landmark tracks: a One-Euro filter run forwards and backwards.

The One-Euro filter (Casiez, Roussel & Vogel, CHI 2012) is a low-pass whose cut-off rises with
speed: a still face is smoothed hard (no swimming), a turning head or a talking mouth is followed
closely (no lag). The de-aging engine sees the whole track before it renders, so it runs the filter
both ways and averages: the two lags have opposite signs and cancel, as in a zero-phase filter.
"""

from __future__ import annotations

import math

import numpy as np


def _alpha(cutoff: np.ndarray | float, fps: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau * fps)


def one_euro(
    points: np.ndarray,
    fps: float,
    unit: np.ndarray,
    min_cutoff: float = 1.2,
    beta: float = 0.8,
    d_cutoff: float = 1.0,
) -> np.ndarray:
    """Causal One-Euro filter over a landmark track.

    Args:
        points: (T, N, 2) landmark positions in pixels.
        fps: frames per second of the track.
        unit: (T,) the face size per frame (IOD, pixels); speeds are measured in face sizes per
            second so that one ``beta`` serves every shot size.
        min_cutoff: cut-off in Hz for a still face (lower = steadier).
        beta: how fast the cut-off rises with speed (higher = less lag when moving).
        d_cutoff: cut-off in Hz for the speed estimate itself.

    Returns:
        (T, N, 2) filtered positions.
    """
    out = np.empty_like(points, dtype=np.float64)
    if len(points) == 0:
        return out
    out[0] = points[0]
    speed = np.zeros(points.shape[1])
    a_d = _alpha(d_cutoff, fps)
    for t in range(1, len(points)):
        # Per-point speed, so a moving mouth is followed while the still forehead is held.
        raw = np.hypot(*(points[t] - out[t - 1]).T) * fps / max(float(unit[t]), 1e-6)
        speed = a_d * raw + (1.0 - a_d) * speed
        a = _alpha(min_cutoff + beta * speed, fps)[:, None]
        out[t] = a * points[t] + (1.0 - a) * out[t - 1]
    return out


def smooth_track(points: np.ndarray, fps: float, **kwargs: float) -> np.ndarray:
    """Zero-lag smoothing of a whole landmark track: One-Euro forwards and backwards, averaged.

    Args:
        points: (T, N, 2) landmarks of one face track, pixels.
        fps: frames per second.
        **kwargs: One-Euro settings passed to :func:`one_euro`.

    Returns:
        (T, N, 2) smoothed landmarks.
    """
    pts = np.asarray(points, dtype=np.float64)
    if len(pts) < 3:
        return pts.copy()
    eyes = np.hypot(*(pts[:, 42:48].mean(axis=1) - pts[:, 36:42].mean(axis=1)).T)
    fwd = one_euro(pts, fps, eyes, **kwargs)
    bwd = one_euro(pts[::-1], fps, eyes[::-1], **kwargs)[::-1]
    return (fwd + bwd) / 2.0
