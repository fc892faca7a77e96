"""Small debris: chips and dust clods thrown out where pieces break away and where they hit.

Ballistic particles with gravity, bouncing and then lying on the ground, drawn as short streaks
(their own motion blur) in the colours of broken concrete.
"""

from __future__ import annotations

import cv2
import numpy as np

from greenlight.engines.collapse.layers import Layer, clip_box
from greenlight.engines.collapse.scene import Camera

GRAVITY = 9.81


class Debris:
    """Particles in world metres, born over time, moved on by :meth:`advance`."""

    def __init__(self, rng: np.random.Generator, limit: int = 6000) -> None:
        self.rng, self.limit = rng, limit
        self.pos = np.zeros((0, 3))
        self.vel = np.zeros((0, 3))
        self.size = np.zeros(0)
        self.tone = np.zeros(0)

    def burst(self, origin: np.ndarray, count: int, speed: float, spread: np.ndarray | None = None) -> None:
        """Throw ``count`` particles from ``origin`` (``(3,)`` or ``(count, 3)``) at about ``speed`` m/s."""
        room = self.limit - len(self.pos)
        count = min(count, room)
        if count <= 0:
            return
        rng = self.rng
        direction = rng.normal(0, 1, (count, 3))
        direction[:, 1] = np.abs(direction[:, 1]) * 0.8 + 0.2
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        vel = direction * rng.uniform(0.3, 1.0, (count, 1)) * speed
        if spread is not None:
            vel += spread
        start = np.broadcast_to(origin, (count, 3)) + rng.normal(0, 0.3, (count, 3))
        self.pos = np.concatenate([self.pos, start])
        self.vel = np.concatenate([self.vel, vel])
        self.size = np.concatenate([self.size, rng.uniform(0.08, 0.45, count) ** 1.5])
        self.tone = np.concatenate([self.tone, rng.uniform(0.45, 1.0, count)])

    def advance(self, dt: float) -> None:
        """Fly, fall, bounce and come to rest on the ground."""
        if not len(self.pos):
            return
        self.vel[:, 1] -= GRAVITY * dt
        self.vel *= np.exp(-dt * 0.15)  # a little air drag on small chips
        self.pos += self.vel * dt
        hit = self.pos[:, 1] < 0
        self.pos[hit, 1] = 0
        self.vel[hit, 1] = -0.25 * self.vel[hit, 1]
        self.vel[hit, 0::2] *= 0.55

    def draw(self, camera: Camera, before: np.ndarray, colour: np.ndarray) -> Layer:
        """Streaks from ``before`` (positions a shutter-time ago) to now."""
        h, w = camera.height, camera.width
        if not len(self.pos):
            return Layer.empty()
        a, b = camera.project(before), camera.project(self.pos)
        depth = camera.distance - self.pos[:, 2]
        width = np.clip(self.size * camera.px_per_m * camera.distance / depth, 1, 12).astype(int)
        ok = (b[:, 0] > -20) & (b[:, 0] < w + 20) & (b[:, 1] > -20) & (b[:, 1] < h + 20)
        if not ok.any():
            return Layer.empty()
        ends = np.concatenate([a[ok], b[ok]])
        pad = 14
        box = clip_box(*(ends.min(axis=0) - pad), *(ends.max(axis=0) + pad), w, h)
        if box is None:
            return Layer.empty()
        origin = np.array(box[:2])
        cover = np.zeros((box[3] - box[1], box[2] - box[0]), np.uint8)
        shade = np.zeros_like(cover)
        for i in np.nonzero(ok)[0]:
            p, q = tuple(np.round(a[i] - origin).astype(int)), tuple(np.round(b[i] - origin).astype(int))
            cv2.line(cover, p, q, 255, int(width[i]), cv2.LINE_AA)
            cv2.line(shade, p, q, int(255 * self.tone[i]), int(width[i]), cv2.LINE_AA)
        tone = shade.astype(np.float32) / 255
        return Layer(box, tone[..., None] * colour.astype(np.float32), cover.astype(np.float32) / 255)
