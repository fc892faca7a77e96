"""The dust plume: a coarse density grid advected by a swirling noise field, lit from above.

Dust is born where the building fails, trails behind falling pieces and bursts out along the ground
where they hit. It rolls outward along the street (its own momentum, which fades), rises as it warms
(buoyancy), swirls (a time-varying curl-noise field), spreads and thins. It is lit by how much dust
lies between it and the sky, so the tops of the billows are bright and their undersides dark.
"""

from __future__ import annotations

import cv2
import numpy as np

from greenlight.engines.collapse.layers import Layer, clip_box

GRID = 200  # cells across the frame


class DustField:
    """The plume on a grid of ``GRID`` cells across the frame; positions are in plate pixels."""

    def __init__(self, width: int, height: int, ground_row: float, rng: np.random.Generator) -> None:
        self.width, self.height = width, height
        self.cells = (max(int(round(GRID * height / width)), 8), GRID)
        self.cell = width / GRID
        gh, gw = self.cells
        self.density = np.zeros((gh, gw), np.float32)
        self.heat = np.zeros((gh, gw), np.float32)
        self.flow = np.zeros((gh, gw, 2), np.float32)
        self.ground = ground_row / self.cell
        # Swirls at three sizes (spatial frequencies per cell), the small ones turning faster.
        scales = np.repeat([1 / 14, 1 / 7, 1 / 3.5], 4)
        angle = rng.uniform(0, 2 * np.pi, len(scales))
        self.waves = np.column_stack([np.cos(angle), np.sin(angle)]) * scales[:, None]
        self.phase = rng.uniform(0, 2 * np.pi, len(scales))
        self.rate = rng.uniform(0.6, 1.4, len(scales)) * scales * 14
        self.strength = 1.0 / scales * 0.9  # cells per second: big slow rolls, small quick curls
        yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
        self.xx, self.yy = xx, yy

    def emit(self, x: float, y: float, amount: float, radius: float, push: tuple[float, float] = (0.0, 0.0),
             heat: float = 1.0) -> None:
        """Add dust at plate pixel (x, y): ``amount`` over a blob of ``radius`` pixels, moving at ``push`` px/s."""
        cx, cy, r = x / self.cell, y / self.cell, max(radius / self.cell, 0.8)
        x0, x1 = int(max(cx - 3 * r, 0)), int(min(cx + 3 * r + 1, self.cells[1]))
        y0, y1 = int(max(cy - 3 * r, 0)), int(min(cy + 3 * r + 1, self.cells[0]))
        if x1 <= x0 or y1 <= y0:
            return
        blob = np.exp(-((self.xx[y0:y1, x0:x1] - cx) ** 2 + (self.yy[y0:y1, x0:x1] - cy) ** 2) / (2 * r * r))
        self.density[y0:y1, x0:x1] += amount * blob
        self.heat[y0:y1, x0:x1] += heat * blob
        self.flow[y0:y1, x0:x1] += blob[..., None] * (np.array(push, np.float32) / self.cell)

    def step(self, t: float, dt: float) -> None:
        """Move the dust on by ``dt`` seconds at time ``t``."""
        flow = self.flow + self._swirl(t) + self._rise()
        gh, gw = self.cells
        map_x = (self.xx - flow[..., 0] * dt).astype(np.float32)
        map_y = (self.yy - flow[..., 1] * dt).astype(np.float32)
        for name in ("density", "heat"):
            field = cv2.remap(getattr(self, name), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
            setattr(self, name, cv2.GaussianBlur(field, (0, 0), 0.5 + 2.0 * dt))
        self.flow = cv2.remap(self.flow, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        self.flow *= np.float32(np.exp(-dt / 1.6))  # the surge loses its push
        self.heat *= np.float32(np.exp(-dt / 3.0))
        self.density *= np.float32(np.exp(-dt / 14.0))  # it settles and thins
        # The ground stops the surge going down: what reaches it spreads sideways instead.
        below = self.yy > self.ground + 0.15 * (gh - self.ground)
        self.flow[..., 1] = np.where(below & (self.flow[..., 1] > 0), 0, self.flow[..., 1])

    def _swirl(self, t: float) -> np.ndarray:
        """A divergence-free swirl: the curl of a sum of drifting waves, in cells per second."""
        u = np.zeros(self.cells, np.float32)
        v = np.zeros(self.cells, np.float32)
        for (kx, ky), phase, rate, amp in zip(self.waves, self.phase, self.rate, self.strength, strict=True):
            arg = kx * self.xx + ky * self.yy + phase + rate * t
            c = (amp * np.cos(arg)).astype(np.float32)
            u += ky * c
            v -= kx * c
        # Swirl only where there is dust to swirl (it stirs its own air).
        stir = np.tanh(self.density * 2 + self.heat)[..., None]
        return np.stack([u, v], -1) * 3.0 * stir

    def _rise(self) -> np.ndarray:
        rise = np.zeros((*self.cells, 2), np.float32)
        rise[..., 1] = -9.0 * np.tanh(self.heat)  # warm dust climbs, cells per second
        return rise

    def layers(self, colour: np.ndarray, amount: float, detail: np.ndarray, t: float) -> Layer:
        """The plume at plate resolution, over the box where there is any.

        Args:
            colour: the dust's colour in full light, ``(3,)`` 0..1.
            amount: how thick it looks (the request's ``dust``).
            detail: a fine noise tile at least the plate's size, for texture inside the billows.
            t: seconds, to drift the detail upward with the plume.
        """
        # Light from the sky: what lies above a cell shades it.
        above = np.cumsum(self.density, axis=0) - self.density
        # Sky light through the dust above, and a key light on the tops of the billows.
        slope = np.clip(np.diff(self.density, axis=0, prepend=0), 0, None)  # dust thickening downward: a top
        # Dust scatters light many times over: even deep in the plume it stays a mid grey, never black.
        lit = (0.62 + 0.3 * np.exp(-0.05 * above) + 0.12 * np.tanh(slope * 2)).astype(np.float32)
        # Never quite opaque: even the thick of the surge lets a little of the plate through.
        cover = (0.94 * (1.0 - np.exp(-amount * 0.5 * self.density))).astype(np.float32)
        rows, cols = np.nonzero(cover > 1 / 1024)
        if not len(rows):
            return Layer.empty()
        # Whole pixels of the cells with dust, and two cells more for the cubic filter's reach.
        box = clip_box((cols.min() - 2) * self.cell, (rows.min() - 2) * self.cell, (cols.max() + 3) * self.cell,
                       (rows.max() + 3) * self.cell, self.width, self.height)
        if box is None:
            return Layer.empty()
        x0, y0, x1, y1 = box
        # The same sampling as resizing the whole grid to the frame, done on the box only.
        map_x = np.tile(((np.arange(x0, x1, dtype=np.float32) + 0.5) / self.cell - 0.5)[None, :], (y1 - y0, 1))
        map_y = np.tile(((np.arange(y0, y1, dtype=np.float32) + 0.5) / self.cell - 0.5)[:, None], (1, x1 - x0))
        alpha = cv2.remap(cover, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
        light = cv2.remap(lit, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
        shift = int(t * 0.03 * self.height) % max(detail.shape[0] - self.height, 1)
        grain = detail[shift + y0:shift + y1, x0:x1]
        # Billows inside the plume: the detail eats into thin dust more than into thick.
        alpha = np.clip(alpha * (0.55 + 0.9 * grain) - 0.25 * (1 - grain) * (1 - alpha), 0.0, 1.0)
        light = light * (0.8 + 0.4 * grain)
        premult = (light * alpha)[..., None] * colour.astype(np.float32)
        return Layer(box, np.clip(premult, 0, 1), alpha)


def detail_tile(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """Soft multi-scale noise 0..1, half again as tall as the plate so it can drift."""
    h = int(height * 1.5)
    tile = np.zeros((h, width), np.float32)
    for cells, weight in ((12, 0.5), (40, 0.3), (120, 0.2)):
        small = rng.random((max(int(cells * h / width), 2), cells)).astype(np.float32)
        tile += weight * cv2.resize(small, (width, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(tile, 0, 1)
