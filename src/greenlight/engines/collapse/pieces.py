"""Draw the moving pieces: each slab's face textured from its own plate pixels, its broken sides as concrete.

A piece's face is a plane, so its picture is the plate crop under a homography (facade → body → camera).
Faces and sides are shaded by how they turn to the light, so a slab that tips changes its shading
and shows its broken edges. Motion blur averages sub-frame samples per piece; a piece at rest is
drawn once.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from greenlight.engines.collapse.fracture import Shard
from greenlight.engines.collapse.layers import Layer, union
from greenlight.engines.collapse.scene import Camera, quat_matrix

LIGHT = np.array([-0.45, 0.75, 0.5]) / np.linalg.norm([-0.45, 0.75, 0.5])
AMBIENT, DIFFUSE = 0.42, 0.68
_SUB = 4  # sub-pixel bits for cv2 polygon filling


@dataclass(frozen=True)
class PieceArt:
    """What one piece looks like: its plate crop (RGBA float32), its local outline and its concrete tone."""

    texture: np.ndarray
    corners_uv: np.ndarray  # (4, 2): the crop's corners in plate pixels
    local: np.ndarray  # (K, 2): its outline in metres about its centre
    concrete: np.ndarray  # (3,) float32 0..1


def piece_art(plate: np.ndarray, shards: list[Shard], camera: Camera, concrete: np.ndarray,
              rng: np.random.Generator) -> list[PieceArt]:
    """Crop every piece's pixels out of the plate and give it a slightly varied concrete tone."""
    art = []
    h, w = plate.shape[:2]
    for shard in shards:
        # One pixel more all round, so neighbouring pieces overlap a little: no hairline of background
        # shows between them while they still stand together.
        x0, y0, x1, y1 = shard.box
        px0, py0, px1, py1 = max(x0 - 1, 0), max(y0 - 1, 0), min(x1 + 1, w), min(y1 + 1, h)
        alpha = np.zeros((py1 - py0, px1 - px0), np.float32)
        alpha[y0 - py0:y1 - py0, x0 - px0:x1 - px0] = shard.alpha
        alpha = cv2.dilate(alpha, np.ones((3, 3), np.uint8))
        x0, y0, x1, y1 = px0, py0, px1, py1
        rgba = np.dstack([plate[y0:y1, x0:x1].astype(np.float32) / 255, alpha])
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
        xy = camera.to_world(shard.hull)
        tone = np.clip(concrete * rng.uniform(0.85, 1.1), 0, 1).astype(np.float32)
        art.append(PieceArt(rgba, corners, xy - xy.mean(axis=0), tone))
    return art


def shade(normals: np.ndarray) -> np.ndarray:
    """Lambert shading of world normals ``(..., 3)``."""
    return AMBIENT + DIFFUSE * np.clip(normals @ LIGHT, 0, None)


class PieceRenderer:
    """Renders the released pieces of one frame into premultiplied RGB and coverage layers."""

    def __init__(self, camera: Camera, art: list[PieceArt], rest: np.ndarray, depth: np.ndarray) -> None:
        self.camera, self.art, self.rest, self.depth = camera, art, rest, depth
        self.eye = camera.eye()
        self.rest_shade = float(shade(np.array([0.0, 0.0, 1.0])))
        self.cache: dict[int, tuple] = {}

    def render(self, position: np.ndarray, rotation: np.ndarray, released: np.ndarray) -> Layer:
        """The pieces of one frame from ``(S, N, 3)`` positions and ``(S, N, 4)`` rotations of its sub-samples."""
        moving = np.nonzero(released)[0]
        far_first = moving[np.argsort(-np.linalg.norm(position[:, moving].mean(0) - self.eye, axis=1), kind="stable")]
        drawn = [d for d in (self._piece(int(i), position[:, i], rotation[:, i]) for i in far_first) if d is not None]
        box = union([d[0] for d in drawn])
        if box is None:
            return Layer.empty()
        bx, by = box[0], box[1]
        colour = np.zeros((box[3] - by, box[2] - bx, 3), np.float32)
        alpha = np.zeros((box[3] - by, box[2] - bx), np.float32)
        for (x0, y0, x1, y1), c, a in drawn:
            keep = 1.0 - a
            region = (slice(y0 - by, y1 - by), slice(x0 - bx, x1 - bx))
            colour[region] = colour[region] * keep[..., None] + c
            alpha[region] = alpha[region] * keep + a
        return Layer(box, colour, alpha)

    def _piece(self, i: int, position: np.ndarray, rotation: np.ndarray):
        key = np.concatenate([position.ravel(), rotation.ravel()])
        cached = self.cache.get(i)
        if cached is not None and np.abs(cached[0] - key).max() < 2e-3:
            return cached[1]  # it has not moved since the last frame: the same picture
        samples = [self._geometry(i, p, q) for p, q in zip(position, rotation, strict=True)]
        if np.abs(samples[-1][0] - samples[0][0]).max() < 0.35:
            samples = samples[:1]  # at rest within this frame: one sample is the same picture
        pts = np.concatenate([s[0] for s in samples])
        box = _clip_box(pts, self.camera.width, self.camera.height)
        layer = None
        if box is not None:
            x0, y0, x1, y1 = box
            colour = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
            alpha = np.zeros((y1 - y0, x1 - x0), np.float32)
            for sample in samples:
                c, a = self._draw(i, sample, (x0, y0), (x1 - x0, y1 - y0))
                colour += c
                alpha += a
            layer = box, colour / len(samples), alpha / len(samples)
        self.cache[i] = (key, layer)
        return layer

    def _geometry(self, i: int, position: np.ndarray, rotation: np.ndarray):
        """The piece's outline at the front and back, projected, and the world rotation."""
        art, d = self.art[i], self.depth[i]
        rot = quat_matrix(rotation)
        k = len(art.local)
        local = np.zeros((2 * k, 3))
        local[:k, :2], local[:k, 2] = art.local, d / 2
        local[k:, :2], local[k:, 2] = art.local, -d / 2
        world = local @ rot.T + position
        return self.camera.project(world), world, rot, position

    def _draw(self, i: int, sample, origin, size):
        uv, world, rot, position = sample
        art = self.art[i]
        k = len(art.local)
        w, h = size
        paint = np.zeros((h, w, 3), np.uint8)
        cover = np.zeros((h, w), np.uint8)
        shift = np.array(origin, np.float64)
        a, b = np.arange(k), (np.arange(k) + 1) % k
        quads = np.stack([a, b, k + b, k + a], axis=1)  # (k, 4) vertex indices of the broken sides
        # Each side's outward normal is the outline edge's normal, turned with the piece.
        edge = art.local[b] - art.local[a]
        out = np.column_stack([edge[:, 1], -edge[:, 0], np.zeros(k)])
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        mid = 0.5 * (art.local[a] + art.local[b])
        out[np.einsum("ij,ij->i", out[:, :2], mid) < 0] *= -1
        normals = out @ rot.T
        centres = world[quads].mean(axis=1)
        seen = np.einsum("ij,ij->i", normals, self.eye - centres) > 0
        tones = art.concrete[None, :] * shade(normals)[:, None]
        # Broken sides first: a convex slab's visible faces never overlap one another.
        for q, tone in zip(quads[seen], tones[seen], strict=True):
            _fill(paint, cover, uv[q] - shift, tone)
        front = rot[:, 2]
        if np.dot(front, self.eye - world[:k].mean(axis=0)) <= 0:  # its back: bare concrete
            _fill(paint, cover, uv[k:] - shift, art.concrete * float(shade(-front)) * 0.9)
        colour = paint.astype(np.float32) / 255
        alpha = cover.astype(np.float32) / 255
        if np.dot(front, self.eye - world[:k].mean(axis=0)) > 0:
            self._face(colour, alpha, i, rot, position, shift, float(shade(front)) / self.rest_shade)
        return colour, alpha

    def _face(self, colour, alpha, i, rot, position, shift, light: float) -> None:
        art = self.art[i]
        # Where the crop's corners go: facade pixel → body (rigid) → camera, all on the face plane.
        corners_world = self._on_face(i, art.corners_uv, rot, position)
        dst = (self.camera.project(corners_world) - shift).astype(np.float32)
        tex = art.texture
        src = np.array([[0, 0], [tex.shape[1], 0], [tex.shape[1], tex.shape[0]], [0, tex.shape[0]]], np.float32)
        homography = cv2.getPerspectiveTransform(src, dst)
        h, w = alpha.shape
        warped = cv2.warpPerspective(tex, homography, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
        a = warped[..., 3]
        rgb = np.clip(warped[..., :3] * light, 0, 1)
        colour *= (1 - a)[..., None]
        colour += rgb * a[..., None]
        alpha *= 1 - a
        alpha += a

    def _on_face(self, i: int, points_uv: np.ndarray, rot: np.ndarray, position: np.ndarray) -> np.ndarray:
        """Facade pixels of piece ``i`` where its pose puts them (the body's origin sat at ``rest`` z = -depth/2)."""
        xy = self.camera.to_world(points_uv)
        local = np.column_stack([xy - self.rest[i, :2], np.full(len(xy), self.depth[i] / 2)])
        return local @ rot.T + position


def _fill(paint: np.ndarray, cover: np.ndarray, pts: np.ndarray, tone: np.ndarray) -> None:
    """An anti-aliased convex polygon in ``tone`` (premultiplied by its coverage, as the canvas starts black)."""
    fixed = np.round(pts * (1 << _SUB)).astype(np.int32)
    cv2.fillConvexPoly(paint, fixed, tuple(float(c) * 255 for c in tone), cv2.LINE_AA, _SUB)
    cv2.fillConvexPoly(cover, fixed, 255, cv2.LINE_AA, _SUB)


def _clip_box(pts: np.ndarray, width: int, height: int):
    x0, y0 = np.floor(pts.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + 2
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 <= x0 or y1 <= y0:
        return None
    return int(x0), int(y0), int(x1), int(y1)
