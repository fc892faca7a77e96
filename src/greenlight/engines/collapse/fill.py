"""What the fallen building reveals, when no clean plate is given.

OpenCV's inpainting smears a hole this large into streaks. Instead the sky is continued as the sky
actually varies (its colour fitted per row over the whole frame, with its grain), and the lower part
of the hole gets a hazy skyline of more distant buildings, tinted by the neighbours and pushed back
by aerial perspective, standing on the street, which continues under it. The seam is feathered.
"""

from __future__ import annotations

import cv2
import numpy as np


def revealed_plate(plate: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The plate with the building replaced by sky, distant buildings and street (uint8 RGB)."""
    h, w = mask.shape
    img = plate.astype(np.float32)
    hole = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    ys, xs = np.nonzero(hole)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    sky = _sky_rows(img, hole)
    out = img.copy()
    # Sky pixels that look like the sky's row colour: windows and dark facades never count as sky.
    skyish = _is_sky(img, hole) & (np.abs(img - sky[:, None, :]).max(axis=2) < 45)
    out[hole] = _push_pull(img, skyish)[hole]
    _skyline(out, hole, (left, top, right, bottom), img, sky, rng)
    _street(out, img, hole, bottom)
    grain = _grain(img, hole)
    out[hole] += rng.normal(0, grain, (len(ys), 3)).astype(np.float32)
    feather = cv2.GaussianBlur(hole.astype(np.float32), (0, 0), 3.0)[..., None]
    keep = np.where(mask[..., None], 1.0, feather)
    return np.clip(img * (1 - keep) + out * keep, 0, 255).astype(np.uint8)


def _is_sky(img: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Smooth, bright pixels connected to the top of the frame (outside the hole)."""
    grey = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
    texture = cv2.GaussianBlur(np.abs(cv2.Laplacian(grey, cv2.CV_32F)), (0, 0), 3)
    smooth = (texture < np.percentile(texture, 45)) & ~hole & (grey > np.percentile(grey, 30))
    count, labels = cv2.connectedComponents(smooth.astype(np.uint8))
    touching = np.unique(labels[0][smooth[0]])
    return np.isin(labels, touching[touching > 0]) if count > 1 else smooth


def _sky_rows(img: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The sky's colour on every row: measured where there is sky, a smooth fit below its last row."""
    h = img.shape[0]
    sky = _is_sky(img, hole)
    counts = sky.sum(axis=1)
    rows = np.nonzero(counts > 3)[0]
    if len(rows) < 4:
        return np.tile(img[~hole].mean(axis=0), (h, 1))
    means = (img * sky[..., None]).sum(axis=1)[rows] / counts[rows, None]
    y = np.arange(h)
    fit = np.stack([np.polyval(np.polyfit(rows, means[:, c], 2, w=np.sqrt(counts[rows])), y) for c in range(3)], -1)
    measured = np.zeros((h, 3))
    measured[rows] = means
    weight = np.zeros(h)
    weight[rows] = 1
    weight = cv2.GaussianBlur(weight.reshape(-1, 1), (1, 0), 6).ravel()
    smooth = cv2.GaussianBlur(measured.reshape(-1, 1, 3), (1, 0), 6).reshape(-1, 3) / np.maximum(weight[:, None], 1e-6)
    blend = np.clip(weight, 0, 1)[:, None]
    # Below the lowest sky row the fit carries on, so the sky does not end where the neighbours begin.
    return (smooth * blend + fit * (1 - blend)).astype(np.float32)


def _push_pull(img: np.ndarray, known: np.ndarray) -> np.ndarray:
    """The smoothest picture that agrees with ``img`` where ``known``: averages pushed down a pyramid and
    pulled back up, so every unknown pixel takes the sky from all sides around it, near sides weighing most."""
    levels = []
    colour, weight = img * known[..., None], known.astype(np.float32)
    while max(weight.shape) > 1:  # down to one pixel, so every level knows some sky
        levels.append((colour, weight))
        half = (max(colour.shape[1] // 2, 1), max(colour.shape[0] // 2, 1))
        colour = cv2.resize(colour, half, interpolation=cv2.INTER_AREA)
        weight = cv2.resize(weight, half, interpolation=cv2.INTER_AREA)
    filled = colour / np.maximum(weight, 1e-6)[..., None]
    for colour, weight in reversed(levels):
        up = cv2.resize(filled, (colour.shape[1], colour.shape[0]), interpolation=cv2.INTER_LINEAR)
        trust = np.clip(weight * 4, 0, 1)[..., None]
        filled = colour / np.maximum(weight, 1e-6)[..., None] * trust + up * (1 - trust)
    return filled.astype(np.float32)


def _skyline(out, hole, box, img, sky, rng) -> None:
    """Distant blocks in the lower part of the hole, hazed toward the sky colour."""
    left, top, right, bottom = box
    around = np.zeros_like(hole)
    around[top:bottom, max(left - (right - left) // 3, 0):min(right + (right - left) // 3, hole.shape[1])] = True
    near = img[around & ~hole & ~_is_sky(img, hole)]
    tone = near.mean(axis=0) if len(near) else sky[bottom - 1]
    x = left
    height = bottom - top
    while x < right:
        span = int(rng.uniform(0.12, 0.3) * (right - left)) + 2
        roof = bottom - int(rng.uniform(0.18, 0.5) * height)
        haze = rng.uniform(0.55, 0.7)
        colour = sky[roof:bottom] * haze + tone * (1 - haze) * rng.uniform(0.85, 1.05)
        block = np.zeros_like(hole)
        block[roof:bottom, x:x + span] = True
        block &= hole
        out[block] = colour[np.nonzero(block)[0] - roof]
        _windows(out, block, roof, x, span, bottom, colour)
        x += span


def _windows(out, block, roof, x, span, bottom, colour) -> None:
    """Faint window rows on a distant block: just enough to read as buildings, not as a wall."""
    storey = max((bottom - roof) // 9, 3)
    for y in range(roof + storey // 2, bottom - storey, storey):
        band = np.zeros_like(block)
        band[y:y + max(storey // 3, 1), x + 2:x + span - 2] = True
        band &= block
        out[band] *= 0.9


def _street(out: np.ndarray, img: np.ndarray, hole: np.ndarray, bottom: int) -> None:
    """The last rows of the hole continue the street seen just below it."""
    h = img.shape[0]
    rows = max((bottom - np.nonzero(hole.any(axis=1))[0][0]) // 40, 2)
    if bottom + rows >= h:
        return
    below = img[bottom:bottom + rows].mean(axis=0)
    band = np.zeros_like(hole)
    band[bottom - rows:bottom] = True
    band &= hole
    ys, xs = np.nonzero(band)
    out[ys, xs] = below[xs]


def _grain(img: np.ndarray, hole: np.ndarray) -> float:
    """The plate's noise level: the spread of its finest detail in the smoothest places."""
    grey = cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_RGB2GRAY).astype(np.float32)
    fine = grey - cv2.GaussianBlur(grey, (0, 0), 1.0)
    sky = _is_sky(img, hole)
    return float(np.std(fine[sky])) * 1.3 if sky.sum() > 100 else 1.5
