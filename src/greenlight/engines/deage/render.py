"""Render one face of one frame: crop, mattes, retouch, reshape, paste back.

Work is split by frequency: mattes, the skin-colour gate, the tone correction and the warp field
are smooth, so they are computed on a copy of the crop scaled to a working face size (IOD ≈ 40 px)
and resized up; only the luminance bands, where the skin texture lives, are processed at full
resolution. That keeps a 1080p close-up about as cheap as a 360p wide shot.

A ``FaceRenderer`` is kept per face track, because two things carry over from frame to frame: the
skin matte (blended with last frame's, moved along with the face, so a gate decision at its edge
cannot flicker) and the skin-colour statistics the gate is measured against.

A second, generative pass plugs in as a :class:`FaceRefiner`: it is handed the classical result of
each face crop and returns its own; the renderer still writes back only what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from greenlight.engines.deage.geometry import FaceFrame, crop_box, face_unit, forehead_points
from greenlight.engines.deage.masks import FaceMattes, face_mattes, mesh_under_eyes, skin_gate
from greenlight.engines.deage.mesh import MEMORY, bag_outlines, from_face, mesh_points, to_face
from greenlight.engines.deage.retouch import Amounts, base_layers, retouch, tone_shift
from greenlight.engines.deage.warp import apply_warp, displacement_field

WORK_IOD = 40.0  # px: face size of the low-resolution working copy
_MATTE_MEMORY = 0.5  # share of last frame's (motion-compensated) skin matte kept


@dataclass(frozen=True)
class _Work:
    """The low-resolution working copy of a crop and how it maps to the crop."""

    ycc: np.ndarray  # float32 YCrCb
    pts: np.ndarray  # landmarks in working pixels
    zoom: np.ndarray  # (x, y) working pixels per crop pixel
    size: tuple[int, int]  # full crop (width, height)

    def up(self, m: np.ndarray) -> np.ndarray:
        if m.shape[:2] == (self.size[1], self.size[0]):
            return m
        return cv2.resize(m, self.size, interpolation=cv2.INTER_LINEAR)


def _work_copy(crop: np.ndarray, local: np.ndarray, iod: float) -> _Work:
    h, w = crop.shape[:2]
    q = min(1.0, WORK_IOD / iod)
    sw, sh = max(8, round(w * q)), max(8, round(h * q))
    small = crop if q >= 1.0 else cv2.resize(crop, (sw, sh), interpolation=cv2.INTER_AREA)
    zoom = np.array([small.shape[1] / w, small.shape[0] / h])
    pts = (local + 0.5) * zoom - 0.5  # pixel-centre convention of cv2.resize
    return _Work(cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb), pts, zoom, (w, h))


class FaceRefiner(Protocol):
    """A pass run on each face crop after the classical one (the seam for a generative refinement).

    Called with the source crop and the classical result (float32 RGB 0..1, same size), the
    landmarks in crop pixels, the skin matte (0..1, what may change) and the track's fade strength;
    returns the refined crop. It is kept per track (a renderer has one), so it may carry state
    from frame to frame, as temporal stability needs.
    """

    def __call__(self, source: np.ndarray, classical: np.ndarray, pts: np.ndarray, skin: np.ndarray,
                 strength: float) -> np.ndarray: ...


class FaceRenderer:
    """De-ages one face track, frame after frame, in place.

    Args:
        amounts: retouch strengths (from ``retouch.amounts_for``).
        refiner: an optional second pass on each crop (see :class:`FaceRefiner`); none by default.
    """

    def __init__(self, amounts: Amounts, refiner: FaceRefiner | None = None) -> None:
        self.amounts = amounts
        self.refiner = refiner
        self._prev: tuple[np.ndarray, np.ndarray] | None = None  # working landmarks, skin matte
        self._stats: np.ndarray | None = None
        self._support: np.ndarray | None = None  # where the warp may act, this frame
        self._gate: np.ndarray | None = None  # the skin-colour gate alone, this frame (the retouch's blend)
        self._mesh: np.ndarray | None = None  # last frame's FaceMesh points, in the face's own frame

    def render(self, rgb: np.ndarray, pts: np.ndarray, strength: float = 1.0) -> None:
        """De-age the face at ``pts`` on ``rgb``, writing into ``rgb``.

        Args:
            rgb: the whole frame, uint8 RGB (H, W, 3); modified in place inside the face crop only.
            pts: (68, 2) smoothed landmarks, frame coordinates.
            strength: 0..1 fade (track starts and ends), multiplies the whole effect.
        """
        h, w = rgb.shape[:2]
        frame = FaceFrame.from_landmarks(pts)
        box = crop_box(pts, frame, w, h)
        if box.width < 8 or box.height < 8 or strength <= 0:
            self._prev = None
            return
        local = pts - np.array([box.left, box.top], np.float64)
        crop8 = rgb[box.top : box.bottom, box.left : box.right]
        crop = crop8.astype(np.float32) / 255.0
        work = _work_copy(crop, local, frame.iod)
        mattes = face_mattes(work.ycc.shape[:2], work.pts)
        skin = self._skin(work, mattes)
        wscale = frame.scale * float(work.zoom.mean())
        tone = tone_shift(work.ycc, skin, wscale, self.amounts.tone) if self.amounts.tone > 0 else None
        unit = face_unit(local)
        layers = base_layers(np.ascontiguousarray(work.ycc[..., 0]), skin, wscale, unit * float(work.zoom.mean()))
        under_eyes = self._under_eyes(rgb, pts, np.array([box.left, box.top], np.float64), work, mattes)
        regions = np.clip(under_eyes + mattes.folds, 0.0, 1.0)
        out = retouch(crop, tuple(work.up(x) for x in layers), work.up(regions), work.up(skin) * strength,
                      unit, self.amounts, None if tone is None else work.up(tone), work.up(self._gate))
        if self.amounts.reshape > 0:
            field = displacement_field(work.ycc.shape[:2], work.pts, mattes.face * self._support,
                                       mattes.features, self.amounts.reshape * strength)
            out = apply_warp(out, work.up(field) / work.zoom.astype(np.float32))
        if self.refiner is not None:
            out = self.refiner(crop, out, local, work.up(skin), strength)
        new8 = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
        # Write back only what changed, so untouched pixels stay bit-identical.
        changed = np.any(new8 != crop8, axis=-1)
        crop8[changed] = new8[changed]

    def _under_eyes(self, rgb: np.ndarray, pts: np.ndarray, origin: np.ndarray, work: _Work,
                    mattes: FaceMattes) -> np.ndarray:
        """Bags, troughs and crow's feet: the 68-point regions, and FaceMesh's bag outlines where it sees the face.

        FaceMesh's points are held in the face's own frame and blended with last frame's, so its
        small jitter does not make the region shimmer; the 68-point landmarks, already smoothed over
        the track, carry it with the head.
        """
        frame = FaceFrame.from_landmarks(pts)
        found = mesh_points(rgb, pts)
        if found is None:
            self._mesh = None
            return mattes.under_eyes
        norm = to_face(found, frame)
        if self._mesh is not None:
            norm = MEMORY * self._mesh + (1 - MEMORY) * norm
        self._mesh = norm
        outlines = [(o - origin + 0.5) * work.zoom - 0.5 for o in bag_outlines(from_face(norm, frame))]
        iod = FaceFrame.from_landmarks(work.pts).iod
        return np.maximum(mattes.under_eyes, mesh_under_eyes(work.ycc.shape[:2], outlines, iod) * mattes.skin)

    def _skin(self, work: _Work, mattes: FaceMattes) -> np.ndarray:
        frame = FaceFrame.from_landmarks(work.pts)
        gate, self._stats = skin_gate(work.ycc, self._core(work.ycc.shape[:2], work.pts, frame), self._stats)
        gate = cv2.GaussianBlur(gate, (0, 0), max(0.5, 0.06 * frame.iod))
        self._gate = gate
        skin = mattes.skin * gate
        # The warp may move the face's edge (skin, and the background just beyond it), but not
        # a microphone or a hand in front of the face: those fail the skin-colour gate.
        grow = max(1, int(round(0.15 * frame.iod)))
        near_skin = cv2.dilate(gate, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1,) * 2))
        occluder = cv2.GaussianBlur((1.0 - gate) * mattes.hull * (1.0 - mattes.features), (0, 0),
                                    max(0.5, 0.1 * frame.iod))
        self._support = np.clip(near_skin - occluder, 0.0, 1.0)
        if self._prev is not None:
            skin = (1 - _MATTE_MEMORY) * skin + _MATTE_MEMORY * self._carry(skin.shape, work.pts)
        self._prev = (work.pts, skin)
        return skin

    def _carry(self, shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
        """Last frame's matte, moved with the face onto this frame's working copy."""
        prev_pts, prev_matte = self._prev
        # The crop moves and rescales with the face; a similarity fitted between the two frames'
        # working landmarks carries the old matte onto the new copy.
        m, _ = cv2.estimateAffinePartial2D(prev_pts, pts, method=cv2.LMEDS)
        if m is None:
            return np.zeros(shape, np.float32)
        return cv2.warpAffine(prev_matte, m, (shape[1], shape[0]), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=0)

    @staticmethod
    def _core(shape: tuple[int, int], local: np.ndarray, frame: FaceFrame) -> np.ndarray:
        """Where skin surely is: both cheeks, the nose bridge and the middle of the forehead."""
        core = np.zeros(shape, np.uint8)
        r = max(1, int(0.18 * frame.iod))
        for p in (local[[1, 31, 41]].mean(0), local[[15, 35, 46]].mean(0), local[28],
                  forehead_points(local, frame, 0.25)[4:6].mean(0)):
            cv2.circle(core, (int(p[0]), int(p[1])), r, 1, -1)
        return core.astype(np.float32)
