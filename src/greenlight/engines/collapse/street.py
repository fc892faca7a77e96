"""A street plate the project makes itself: sky, a concrete tower, neighbouring buildings, a road.

Used by the demo, the tests and the benchmark, so nothing is downloaded and the shot is the same
everywhere. The tower's outline comes with it, as the polygon an artist would draw.
"""

from __future__ import annotations

import cv2
import numpy as np


def street_plate(width: int = 1280, height: int = 720, seed: int = 7) -> tuple[np.ndarray, list[list[float]]]:
    """The plate (``(height, width, 3)`` uint8 RGB) and the tower's outline in its pixels."""
    rng = np.random.default_rng(seed)
    w, h = width, height
    ground = int(h * 0.80)
    yy = np.linspace(0, 1, h)[:, None, None]
    sky = (np.array([92, 134, 188]) * (1 - yy) + np.array([196, 208, 214]) * yy) * np.ones((1, w, 1))
    img = sky.astype(np.float32)
    _clouds(img, rng, ground)
    for left, right, top, tone in _neighbours(w, h, ground, rng):
        _building(img, left, right, top, ground, tone, rng, windows=(right - left) // max(w // 60, 6))
    tower = (int(w * 0.38), int(w * 0.62), int(h * 0.12))
    _building(img, tower[0], tower[1], tower[2], ground, np.array([168, 160, 148]), rng, windows=7, tower=True)
    _street(img, ground, rng)
    img += rng.normal(0, 2.0, img.shape)  # film grain
    outline = [[tower[0], tower[2]], [tower[1], tower[2]], [tower[1], ground], [tower[0], ground]]
    return np.clip(img, 0, 255).astype(np.uint8), [[float(x), float(y)] for x, y in outline]


def _clouds(img: np.ndarray, rng: np.random.Generator, ground: int) -> None:
    h, w = img.shape[:2]
    noise = np.zeros((h, w), np.float32)
    for scale in (8, 16, 32):
        small = rng.random((max(h // (w // scale), 2), scale)).astype(np.float32)
        noise += cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC) / scale * 8
    cloud = np.clip((noise - noise.mean()) * 2.2, 0, 1) * np.linspace(1, 0.2, h)[:, None]
    img += cloud[..., None] * (np.array([240, 240, 236]) - img) * 0.6


def _neighbours(w: int, h: int, ground: int, rng: np.random.Generator):
    spans = [(0, 0.13, 0.42), (0.12, 0.27, 0.30), (0.27, 0.38, 0.50), (0.62, 0.75, 0.40),
             (0.75, 0.88, 0.28), (0.87, 1.0, 0.46)]
    tones = [np.array(t) for t in ([150, 112, 92], [120, 122, 128], [178, 150, 118], [104, 96, 92],
                                   [160, 140, 120], [132, 136, 140])]
    for (a, b, top), tone in zip(spans, tones, strict=True):
        yield int(a * w), int(b * w), int(top * h), tone


def _building(img, left, right, top, ground, tone, rng, windows: int, tower: bool = False) -> None:
    h, w = img.shape[:2]
    width = right - left
    face = np.ones((ground - top, width, 3), np.float32) * tone
    face *= 1 + 0.05 * rng.standard_normal((ground - top, 1, 1)).astype(np.float32)
    face *= np.linspace(1.06, 0.92, width)[None, :, None]  # sun from the left
    storey = max(width / windows * (0.9 if tower else 1.1), 4)
    cols = max(int(width / (storey * 0.9)), 1)
    for floor in range(int((ground - top) / storey)):
        y0 = int(floor * storey + storey * 0.28)
        y1 = int(y0 + storey * 0.48)
        lit = rng.random(cols) < 0.15
        for c in range(cols):
            x0 = int((c + 0.2) * width / cols)
            x1 = int((c + 0.8) * width / cols)
            glass = np.array([60, 72, 86]) if not lit[c] else np.array([210, 190, 140])
            face[y0:y1, x0:x1] = glass * (0.85 + 0.3 * rng.random())
        face[int(floor * storey):int(floor * storey) + max(int(storey * 0.08), 1)] *= 0.82  # slab edge
    if tower:
        face[:, :max(width // 40, 1)] *= 0.7
        face[:, -max(width // 40, 1):] *= 0.7
    img[top:ground, left:right] = face
    img[top:top + max(h // 200, 1), left:right] *= 0.6  # parapet shadow


def _street(img: np.ndarray, ground: int, rng: np.random.Generator) -> None:
    h, w = img.shape[:2]
    kerb = ground + max((h - ground) // 5, 1)
    img[ground:kerb] = np.array([150, 146, 140])
    road = np.linspace(0.8, 1.05, h - kerb)[:, None, None]
    img[kerb:] = np.array([78, 78, 82]) * road
    dash = max(w // 24, 4)
    y = kerb + (h - kerb) // 2
    for x in range(0, w, dash * 2):
        img[y:y + max(h // 240, 1), x:x + dash] = [210, 204, 180]
    img[ground:] *= 1 + 0.04 * rng.standard_normal((h - ground, w, 1)).astype(np.float32)
