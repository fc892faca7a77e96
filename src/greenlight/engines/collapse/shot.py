"""The whole shot: fracture, simulate, then render every frame as a beauty and four aligned mattes.

Layers, back to front: the plate (each clip frame, or the still), the revealed background where
pieces have left, the pieces, the debris, the dust. The mattes are those layers' coverages, so the
beauty differs from the plate only where some matte is non-zero; camera shake moves all of them by the
same whole-frame offset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from greenlight.engines.collapse.debris import Debris
from greenlight.engines.collapse.dust import DustField, detail_tile
from greenlight.engines.collapse.fracture import Fracture, fracture
from greenlight.engines.collapse.layers import Layer, union
from greenlight.engines.collapse.params import CollapseParams
from greenlight.engines.collapse.physics import Motion, release_times, simulate
from greenlight.engines.collapse.pieces import PieceRenderer, piece_art
from greenlight.engines.collapse.scene import Camera

PASSES = ("pieces", "debris", "dust", "revealed")
SHUTTER = 0.5  # a 180° shutter: motion blur over half the frame interval


@dataclass(frozen=True)
class Frame:
    """One rendered frame: the beauty (uint8 RGB) and the mattes (uint8, 255 = fully covered)."""

    index: int
    beauty: np.ndarray
    mattes: dict[str, np.ndarray]


@dataclass
class Shot:
    """Everything decided before the first frame is drawn."""

    params: CollapseParams
    plate: np.ndarray
    background: np.ndarray
    mask: np.ndarray
    fps: float
    frames: int
    seed: int
    fracture: Fracture | None = None
    camera: Camera | None = None
    motion: Motion | None = None


def prepare(shot: Shot, progress: Callable[[float], None]) -> Shot:
    """Fracture the building and simulate its fall through every sub-frame sample of the shot."""
    p = shot.params
    rng = np.random.default_rng(shot.seed)
    shot.fracture = fracture(shot.plate, shot.mask, p.pieces, p.failure, p.breakup, p.floors, rng)
    h, w = shot.mask.shape
    shot.camera = Camera.for_plate(w, h, shot.fracture.ground_row, shot.fracture.floor_px)
    ys, xs = np.nonzero(shot.mask)
    failure = (xs.min() + p.failure[0] * np.ptp(xs), ys.min() + p.failure[1] * np.ptp(ys))
    release = release_times(shot.fracture.shards, shot.camera, failure, p.direction, p.speed, rng)
    shot.motion = simulate(shot.fracture.shards, shot.camera, sample_times(shot), release, p.direction, p.speed,
                           rng, progress)
    return shot


def sample_times(shot: Shot) -> np.ndarray:
    """Seconds since the first failure of every sub-frame sample, frame by frame (never negative)."""
    s = shot.params.motion_blur
    offsets = np.arange(s) / s * SHUTTER / shot.fps if s > 1 else np.zeros(1)
    starts = (np.arange(shot.frames) - shot.params.start_frame) / shot.fps
    return np.clip(starts[:, None] + offsets[None, :], 0.0, None).ravel()


def render(shot: Shot, plate_frames: Iterator[np.ndarray]) -> Iterator[Frame]:
    """Every frame of the shot, in order; ``plate_frames`` gives the plate under each one."""
    p, camera, motion, frac = shot.params, shot.camera, shot.motion, shot.fracture
    rng = np.random.default_rng(shot.seed + 1)
    concrete = _concrete(shot.plate, shot.mask)
    art = piece_art(shot.plate, frac.shards, camera, concrete, rng)
    pieces = PieceRenderer(camera, art, motion.rest, motion.depth)
    dust = DustField(camera.width, camera.height, frac.ground_row, rng)
    detail = detail_tile(camera.width, camera.height, rng)
    debris = Debris(rng)
    dust_rgb = np.array(p.dust_colour, np.float32) / 255 if p.dust_colour else _dust_colour(shot.plate, shot.mask)
    s = p.motion_blur
    shake = _shake(shot, rng)
    was_free = np.zeros(len(frac.shards), bool)
    revealed = Revealed(frac.labels)
    h, w = shot.mask.shape
    background = shot.background.astype(np.float32) / 255
    dt = 1.0 / shot.fps
    for k, plate in enumerate(plate_frames):
        span = slice(k * s, (k + 1) * s)
        t = float(motion.times[span][-1])
        free = motion.released[span][-1]
        _stir(shot, dust, debris, motion, span, free & ~was_free, dt)
        was_free = free
        before = debris.pos.copy()
        debris.advance(dt)
        dust.step(t, dt)
        layers = {
            "pieces": pieces.render(motion.position[span], motion.rotation[span], free),
            "debris": debris.draw(camera, before, concrete * 0.8) if p.debris else Layer.empty(),
            "dust": dust.layers(dust_rgb, p.dust, detail, t) if p.dust else Layer.empty(),
            "revealed": revealed.layer(free, background),
        }
        roi = union([layer.box for layer in layers.values()])
        beauty = plate.copy()
        if roi is not None:
            x0, y0, x1, y1 = roi
            picture = plate[y0:y1, x0:x1].astype(np.float32) / 255
            for name in ("revealed", "pieces", "debris", "dust"):  # back to front
                layers[name].over(picture, roi)
            beauty[y0:y1, x0:x1] = np.round(np.clip(picture, 0, 1) * 255).astype(np.uint8)
        mattes = {name: layers[name].matte(h, w) for name in PASSES}
        yield _finish(k, beauty, mattes, shake[k])


class Revealed:
    """Where the background shows: the footprints of the pieces that have left, redrawn only when one leaves."""

    def __init__(self, labels: np.ndarray) -> None:
        self.labels = labels
        ys, xs = np.nonzero(labels >= 0)
        self.box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        self.freed = None
        self.cached = Layer.empty()

    def layer(self, free: np.ndarray, background: np.ndarray) -> Layer:
        """The revealed background, premultiplied by the footprints of the ``free`` pieces."""
        if self.freed is not None and np.array_equal(free, self.freed):
            return self.cached
        self.freed = free.copy()
        if not free.any():
            self.cached = Layer.empty()
            return self.cached
        x0, y0, x1, y1 = self.box
        labels = self.labels[y0:y1, x0:x1]
        gone = np.zeros(labels.shape, np.float32)
        inside = labels >= 0
        gone[inside] = free[labels[inside]]
        self.cached = Layer(self.box, background[y0:y1, x0:x1] * gone[..., None], gone)
        return self.cached


def _stir(shot, dust: DustField, debris: Debris, motion: Motion, span: slice, new: np.ndarray, dt: float) -> None:
    """Dust and debris from what happened during this frame: pieces let go, pieces falling, hits."""
    p, camera, shards = shot.params, shot.camera, shot.fracture.shards
    scale = camera.px_per_m
    pos = motion.position[span][-1]
    for i in np.nonzero(new)[0]:
        shard = shards[i]
        radius = np.sqrt(shard.area) * 0.6
        dust.emit(*shard.centre, amount=0.05 * p.dust, radius=radius, heat=0.5)
        if p.debris:
            debris.burst(motion.rest[i] + [0, 0, 0.3], int(p.debris * np.clip(shard.area / 400, 1, 6)), 3.0)
    speed = motion.speed[span][-1]
    uv = camera.project(pos)
    for i in np.nonzero(speed > 4.0)[0]:  # falling pieces trail dust
        r = np.sqrt(shards[i].area) * 0.7
        dust.emit(*uv[i], amount=0.01 * p.dust * min(speed[i] / 10, 2.0), radius=r, heat=0.3)
    t1 = motion.times[span][-1]
    t0 = t1 - dt
    for _, x, y, z, energy in motion.impacts[(motion.impacts[:, 0] > t0) & (motion.impacts[:, 0] <= t1)]:
        u, v = camera.project(np.array([x, y, z]))
        strength = min(np.sqrt(energy) / 300, 3.0)
        radius = scale * (1.5 + strength)
        if y < 2.5:  # on the ground: a surge that rolls out both ways along the street
            for side in (-1, 1):
                dust.emit(u + side * radius * 0.5, v, amount=0.9 * p.dust * strength, radius=radius,
                          push=(side * scale * 30 * strength, -scale * 3), heat=1.2)
        else:  # on other pieces, up in the building: a puff that climbs
            dust.emit(u, v, amount=0.25 * p.dust * strength, radius=radius, heat=0.8)
        if p.debris:
            debris.burst(np.array([x, max(y, 0.2), z]), int(p.debris * 10 * strength), 3.0 + 2 * strength)


def _finish(k: int, rgb: np.ndarray, to8: dict[str, np.ndarray], offset: tuple[float, float]) -> Frame:
    if offset != (0.0, 0.0):
        h, w = rgb.shape[:2]
        move = np.float32([[1, 0, offset[0]], [0, 1, offset[1]]])
        rgb = cv2.warpAffine(rgb, move, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        to8 = {n: cv2.warpAffine(m, move, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
               for n, m in to8.items()}
    return Frame(k, rgb, to8)


def _shake(shot: Shot, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Per-frame camera offset in pixels: each hit kicks the camera, the kick rings down in a quarter second."""
    amount = shot.params.shake * shot.camera.width / 1920
    times = (np.arange(shot.frames) - shot.params.start_frame) / shot.fps
    if amount <= 0 or not len(shot.motion.impacts):
        return [(0.0, 0.0)] * shot.frames
    hits = shot.motion.impacts
    energy = np.sqrt(hits[:, 4])
    energy /= max(float(np.percentile(energy, 95)), 1e-6)
    level = np.zeros(shot.frames)
    for t, e in zip(hits[:, 0], energy, strict=True):
        after = times >= t
        level[after] += e * np.exp(-(times[after] - t) / 0.25)
    level = np.tanh(level / 4)
    jitter = rng.normal(0, 1, (shot.frames, 2))
    return [(float(a * x * amount), float(a * y * amount)) for a, (x, y) in zip(level, jitter, strict=True)]


def _concrete(plate: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Broken concrete: the building's own colour, desaturated and a little lighter."""
    mean = plate[mask].astype(np.float32).mean(axis=0) / 255
    grey = mean.mean()
    return np.clip(0.35 * mean + 0.65 * grey + 0.05, 0, 1).astype(np.float32)


def _dust_colour(plate: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Dust takes the building's colour, lifted toward a warm grey, and the brightness of the plate."""
    building = plate[mask].astype(np.float32).mean(axis=0) / 255
    light = plate.astype(np.float32).mean() / 255 / 0.5
    warm = np.array([0.86, 0.81, 0.73], np.float32)
    return np.clip((0.4 * building + 0.6 * warm) * np.clip(light, 0.6, 1.3), 0, 1).astype(np.float32)


def _nothing(camera: Camera):
    return np.zeros((camera.height, camera.width, 3), np.float32), np.zeros((camera.height, camera.width), np.float32)
