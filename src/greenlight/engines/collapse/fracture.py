"""Break the building into pieces that follow its floors: Voronoi cells inside the outline.

The floor height comes from the facade itself (the period of its window rows), so slabs break along
real storeys. Seeds are sparse low down (big pieces at the base) and dense around the failure point
(small pieces where it fails first); with ``floors`` breakup every cell stays inside its storey and is
stretched sideways, so the pieces are slabs, not squares.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Shard:
    """One piece of the building, in plate pixels.

    Attributes:
        index: its number (its label in the fracture map).
        hull: its convex outline, ``(K, 2)`` float, plate pixels.
        box: ``(left, top, right, bottom)`` of its pixels.
        alpha: ``(bottom - top, right - left)`` float32 coverage of its pixels inside ``box``.
        centre: the centroid of its pixels.
        area: how many pixels it covers.
    """

    index: int
    hull: np.ndarray
    box: tuple[int, int, int, int]
    alpha: np.ndarray
    centre: tuple[float, float]
    area: int


@dataclass(frozen=True)
class Fracture:
    """The building broken up: its shards, the label map, and the storey height found."""

    shards: list[Shard]
    labels: np.ndarray  # (H, W) int32, -1 outside the building
    floor_px: float
    ground_row: float  # the plate row of the building's base


def floor_height(plate: np.ndarray, mask: np.ndarray) -> float:
    """The storey height in pixels, from the period of the facade's rows (a tenth of its height if unclear)."""
    rows = np.nonzero(mask.any(axis=1))[0]
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    height = bottom - top
    grey = cv2.cvtColor(plate, cv2.COLOR_RGB2GRAY).astype(np.float32)
    edges = np.abs(cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3))
    inside = mask[top:bottom]
    profile = (edges[top:bottom] * inside).sum(axis=1) / np.maximum(inside.sum(axis=1), 1)
    profile = profile - cv2.GaussianBlur(profile.reshape(-1, 1), (1, 0), max(height / 12, 1)).ravel()
    low, high = max(int(height / 40), 4), max(int(height / 3), 6)
    if high >= len(profile) - 1 or not profile.any():
        return height / 10
    corr = np.array([np.dot(profile[:-lag], profile[lag:]) for lag in range(1, high + 1)])
    corr /= max(float(np.dot(profile, profile)), 1e-6)
    lags = np.arange(1, high + 1)
    ok = (lags >= low)[1:-1] & (corr[1:-1] > corr[:-2]) & (corr[1:-1] >= corr[2:]) & (corr[1:-1] > 0.25)
    peaks, strength = lags[1:-1][ok], corr[1:-1][ok]
    if not len(peaks):
        return height / 10
    # The storey is the first repeat nearly as strong as the strongest: weaker early ones are the gap
    # between a window's top and bottom edges, stronger later ones are two or three storeys.
    return float(peaks[np.nonzero(strength >= 0.7 * strength.max())[0][0]])


def fracture(plate: np.ndarray, mask: np.ndarray, pieces: int, failure: tuple[float, float], breakup: str,
             floors: int, rng: np.random.Generator) -> Fracture:
    """Break the masked building into about ``pieces`` shards (see the module doc)."""
    ys, xs = np.nonzero(mask)
    left, right, top, bottom = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    floor_px = (bottom - top) / floors if floors else floor_height(plate, mask)
    fx, fy = left + failure[0] * (right - left), top + failure[1] * (bottom - top)
    seeds = _seeds(mask, pieces, (fx, fy), (left, top, right, bottom), rng)
    labels = np.full(mask.shape, -1, np.int32)
    if breakup == "floors":
        band = np.floor((bottom - ys) / floor_px).astype(np.int32)
        seed_band = np.floor((bottom - seeds[:, 1]) / floor_px).astype(np.int32)
        _label_bands(labels, xs, ys, band, seeds, seed_band, stretch=0.45)
    else:
        _, nearest = cKDTree(seeds).query(np.column_stack([xs, ys]))
        labels[ys, xs] = nearest
    return Fracture(_shards(labels), labels, float(floor_px), float(bottom))


def _seeds(mask: np.ndarray, count: int, failure: tuple[float, float], box, rng: np.random.Generator) -> np.ndarray:
    """Seed points by rejection sampling: dense at the failure point, sparse near the ground."""
    left, top, right, bottom = box
    size = max(right - left, bottom - top)
    picked: list[np.ndarray] = []
    total = 0
    while total < count:
        cand = rng.uniform((left, top), (right, bottom), size=(count * 4, 2))
        rows = cand[:, 1].astype(int).clip(0, mask.shape[0] - 1)
        inside = mask[rows, cand[:, 0].astype(int).clip(0, mask.shape[1] - 1)]
        cand = cand[inside]
        near = np.hypot(cand[:, 0] - failure[0], cand[:, 1] - failure[1]) / size
        height = (bottom - cand[:, 1]) / max(bottom - top, 1)
        density = (0.35 + 0.65 * height) * (1.0 + 2.5 * np.exp(-(near / 0.18) ** 2))
        keep = cand[rng.uniform(0, 3.5, len(cand)) < density]
        picked.append(keep)
        total += len(keep)
    return np.concatenate(picked)[:count]


def _label_bands(labels, xs, ys, band, seeds, seed_band, stretch: float) -> None:
    """Nearest seed within each storey, with horizontal distance shrunk so cells become slabs."""
    scale = np.array([stretch, 1.0])
    for b in np.unique(band):
        here = band == b
        own = np.nonzero(seed_band == b)[0]
        if len(own) == 0:  # a storey without a seed of its own takes the closest seeds from any storey
            own = np.arange(len(seeds))
        points = np.column_stack([xs[here], ys[here]]) * scale
        _, nearest = cKDTree(seeds[own] * scale).query(points)
        # Labels are storey-local: the same seed never spans two storeys.
        labels[ys[here], xs[here]] = own[nearest] + b * len(seeds)


def _shards(labels: np.ndarray) -> list[Shard]:
    """Every connected label as a shard, numbered in order of the labels (deterministic)."""
    shards = []
    found = np.unique(labels[labels >= 0])
    remap = np.full(int(found.max()) + 1, -1, np.int32)
    remap[found] = np.arange(len(found))
    inside = labels >= 0
    labels[inside] = remap[labels[inside]]
    boxes = _boxes(labels, len(found))
    for index, (x0, y0, x1, y1) in enumerate(boxes):
        alpha = (labels[y0:y1, x0:x1] == index).astype(np.float32)
        ys, xs = np.nonzero(alpha)
        pts = np.column_stack([xs + x0, ys + y0]).astype(np.float32)
        corners = np.concatenate([pts + np.float32(d) for d in ((0, 0), (1, 0), (0, 1), (1, 1))]).astype(np.float32)
        hull = cv2.convexHull(corners).reshape(-1, 2).astype(np.float64)
        shards.append(Shard(index, hull, (x0, y0, x1, y1), alpha, (float(pts[:, 0].mean() + 0.5),
                                                                     float(pts[:, 1].mean() + 0.5)), len(pts)))
    return shards


def _boxes(labels: np.ndarray, count: int) -> list[tuple[int, int, int, int]]:
    ys, xs = np.nonzero(labels >= 0)
    lab = labels[ys, xs]
    x0 = np.full(count, labels.shape[1]); y0 = np.full(count, labels.shape[0])  # noqa: E702
    x1 = np.zeros(count, int); y1 = np.zeros(count, int)  # noqa: E702
    np.minimum.at(x0, lab, xs); np.minimum.at(y0, lab, ys)  # noqa: E702
    np.maximum.at(x1, lab, xs + 1); np.maximum.at(y1, lab, ys + 1)  # noqa: E702
    return [(int(a), int(b), int(c), int(d)) for a, b, c, d in zip(x0, y0, x1, y1, strict=True)]
