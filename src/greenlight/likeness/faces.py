"""Finding faces, their landmarks and their identity embeddings on one RGB image.

Detection is two-stage. dlib's HOG detector proposes candidates quickly, but it also fires on things
that are not faces (the mission patch on the astronaut's suit scores 0.12 with one upsampling). Every
candidate is therefore confirmed by dlib's CNN face detector run on a small crop around it: measured on
the sample photos, the clip and the astronaut, every true face was confirmed (box IoU 0.62–0.89 between
the two detectors, CNN confidence 0.72–1.12) and every false candidate had no CNN detection at all,
for about 0.12 s per candidate on one CPU core (the CNN on a whole 640×360 frame takes 1.5 s).
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

import cv2
import numpy as np

from greenlight.domain.scan import Box
from greenlight.likeness import models

HOG_THRESHOLD = 0.0
"""dlib's own default SVM margin for a HOG candidate; the CNN confirmation removes what slips through."""

SMALL_IMAGE_SIDE = 1000
"""Images whose shorter side is below this are upsampled once before HOG, so that faces down to ~40 px
are found (the HOG window is 80 px); Lin-Manuel Miranda's 44–53 px face in the clip's wide shot needs it."""

CONFIRM_FACE_PX = 90
"""Width the candidate face is scaled to for the CNN check (measured reliable, ~0.12 s a check)."""
CONFIRM_MARGIN = 0.3
"""Context kept around the candidate for the CNN check, as a fraction of the box width."""
CONFIRM_IOU = 0.3
"""Minimum overlap between the candidate and a CNN detection (measured on true faces: 0.62 or more)."""

TRACK_FACE_PX = 100
"""Smallest width a followed face is scaled to when it is looked for again near its last box."""
TRACK_THRESHOLD_MARGIN = 0.3
"""How much lower the SVM margin may be when a followed face is looked for again (see ``locate_near``)."""
TRACK_MARGIN = 0.4
"""Search area around a followed face, as a fraction of its box width on every side."""
_PYRAMID_STEP = 5 / 6  # dlib's HOG detector scans an image pyramid that shrinks by 5/6 per level


@dataclass(frozen=True)
class Candidate:
    """A HOG detection not yet confirmed: its box and SVM margin (higher is surer)."""

    box: Box
    score: float


class FaceAnalyzer:
    """Detects faces, fits 68 landmarks and computes 128-d identity embeddings with dlib.

    Models are loaded on first use and shared by every analyzer. ``stats`` counts the expensive calls
    (full-image detections, local searches, CNN confirmations, embeddings), for benchmarks.

    Args:
        hog_threshold: SVM margin a HOG candidate needs (lower finds more, costs more confirmations).
        confirm: confirm candidates with the CNN detector; only turn off to measure what it removes.
    """

    def __init__(self, *, hog_threshold: float = HOG_THRESHOLD, confirm: bool = True) -> None:
        self.hog_threshold = hog_threshold
        self.follow_threshold = hog_threshold - TRACK_THRESHOLD_MARGIN
        self.confirm_candidates = confirm
        self.stats: collections.Counter[str] = collections.Counter()

    def detect(self, rgb: np.ndarray) -> list[Box]:
        """Find the faces on an image.

        Args:
            rgb: an ``(height, width, 3)`` ``uint8`` RGB image.

        Returns:
            Confirmed face boxes, clipped to the image, left to right.

        Raises:
            ValueError: ``rgb`` is not an ``(height, width, 3)`` array.
        """
        rgb = _as_rgb(rgb)
        found = [c.box for c in self.candidates(grey(rgb)) if not self.confirm_candidates or self.confirm(rgb, c.box)]
        return sorted(found, key=lambda b: (b.left, b.top))

    def candidates(self, image: np.ndarray, upsample: int | None = None,
                   threshold: float | None = None) -> list[Candidate]:
        """Unconfirmed HOG detections on a whole image (greyscale is 25 % faster than RGB and as good).

        Args:
            image: a greyscale ``(height, width)`` or RGB ``(height, width, 3)`` ``uint8`` image.
            upsample: pyramid upsamplings; by default one for images smaller than ``SMALL_IMAGE_SIDE``.
            threshold: SVM margin to report down to (default: ``hog_threshold``).

        Returns:
            Candidates with boxes clipped to the image.
        """
        image = np.ascontiguousarray(image, dtype=np.uint8)
        if upsample is None:
            upsample = upsample_for(image.shape[0], image.shape[1])
        self.stats["full_detections"] += 1
        threshold = self.hog_threshold if threshold is None else threshold
        rects, scores, _ = models.hog_detector().run(image, upsample, threshold)
        height, width = image.shape[:2]
        return [Candidate(_clip(*_edges(r), width, height), float(s))
                for r, s in zip(rects, scores, strict=True) if r.right() > 0 and r.bottom() > 0]

    def confirm(self, rgb: np.ndarray, box: Box) -> bool:
        """Whether the CNN face detector also sees a face at ``box`` (run on a crop around it)."""
        rgb = _as_rgb(rgb)
        self.stats["confirmations"] += 1
        crop, scale, (x0, y0) = _crop_around(rgb, box, CONFIRM_MARGIN, CONFIRM_FACE_PX)
        target = Box(round((box.left - x0) * scale), round((box.top - y0) * scale),
                     round((box.right - x0) * scale), round((box.bottom - y0) * scale))
        return any(Box(*_edges(d.rect)).iou(target) >= CONFIRM_IOU for d in models.cnn_detector()(crop, 0))

    def locate_near(self, gray: np.ndarray, box: Box, upsample: int | None = None) -> Candidate | None:
        """Look for the face last seen at ``box`` again, in a small area around it (cheap, for tracking).

        The area is scaled to one of the exact scales at which a full-image search (``candidates``, with
        the same ``upsample``) examines the frame (2**upsample × (5/6)**k, dlib's HOG pyramid), the
        smallest that keeps the face at least ``TRACK_FACE_PX`` wide, so that both searches see the face
        at the same sizes and find the same faces, at a fraction of the cost.

        Args:
            gray: the greyscale frame.
            box: where the face was on an earlier frame.
            upsample: the full-frame search's upsampling (default: chosen by frame size, as there).

        Returns:
            The HOG candidate overlapping ``box`` most, in frame coordinates, or None.
        """
        self.stats["local_detections"] += 1
        height, width = gray.shape[:2]
        if upsample is None:
            upsample = upsample_for(height, width)
        scale = float(2**upsample)
        while box.width * scale * _PYRAMID_STEP >= TRACK_FACE_PX:
            scale *= _PYRAMID_STEP
        crop, scale, (x0, y0) = _crop_around(gray, box, TRACK_MARGIN, scale=scale)
        # A lower bar than for new faces: this face is already confirmed, and near the threshold HOG's
        # verdict flips with the sampling grid, which differs between the crop and the whole frame.
        rects, scores, _ = models.hog_detector().run(crop, 0, self.follow_threshold)
        best, best_iou = None, 0.2
        for r, s in zip(rects, scores, strict=True):
            left, top, right, bottom = _edges(r)
            found = _clip(x0 + left / scale, y0 + top / scale, x0 + right / scale, y0 + bottom / scale, width, height)
            overlap = found.iou(box)
            if overlap > best_iou:
                best, best_iou = Candidate(found, float(s)), overlap
        return best

    def landmarks(self, rgb: np.ndarray, box: Box) -> np.ndarray:
        """The 68 facial landmarks (iBUG 300-W order) of the face in ``box``.

        Returns:
            A ``(68, 2)`` ``float64`` array of ``(x, y)`` pixel positions.
        """
        shape = models.shape_predictor_68()(_as_rgb(rgb), _rect(box))
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)

    def embed(self, rgb: np.ndarray, box: Box) -> np.ndarray:
        """The 128-d identity embedding of the face in ``box``.

        The face is aligned on its 68 landmarks into a 150×150 chip, as face_recognition does, and
        encoded once (no jitter). Two photos of one person are usually within 0.6 of each other.

        Returns:
            A ``(128,)`` ``float64`` array.
        """
        rgb = _as_rgb(rgb)
        self.stats["embeddings"] += 1
        shape = models.shape_predictor_68()(rgb, _rect(box))
        return np.array(models.face_encoder().compute_face_descriptor(rgb, shape, 1), dtype=np.float64)


def upsample_for(height: int, width: int) -> int:
    """HOG pyramid upsamplings for an image of this size (see ``SMALL_IMAGE_SIDE``)."""
    return 1 if min(height, width) < SMALL_IMAGE_SIDE else 0


def grey(rgb: np.ndarray) -> np.ndarray:
    """The greyscale version of an RGB image, as HOG detection uses it."""
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _as_rgb(rgb: np.ndarray) -> np.ndarray:
    if not (isinstance(rgb, np.ndarray) and rgb.ndim == 3 and rgb.shape[2] == 3):
        raise ValueError(f"expected an (height, width, 3) RGB image, got {getattr(rgb, 'shape', None)}")
    # dlib reads the buffer directly: it must be contiguous uint8.
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def _rect(box: Box):
    import dlib

    # dlib rectangles include their right and bottom pixels; Box excludes them.
    return dlib.rectangle(int(box.left), int(box.top), int(box.right) - 1, int(box.bottom) - 1)


def _edges(rect) -> tuple[int, int, int, int]:
    """A dlib rectangle's edges in Box convention (right and bottom exclusive)."""
    return rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1


def _clip(left: float, top: float, right: float, bottom: float, width: int, height: int) -> Box:
    return Box(max(0, round(left)), max(0, round(top)), min(width, round(right)), min(height, round(bottom)))


def _crop_around(image: np.ndarray, box: Box, margin: float, face_px: int | None = None,
                 scale: float | None = None) -> tuple[np.ndarray, float, tuple[int, int]]:
    """A crop of ``box`` plus ``margin`` box widths on each side, scaled by ``scale`` or so that the box
    is ``face_px`` wide."""
    pad = margin * max(box.width, box.height)
    height, width = image.shape[:2]
    x0, y0 = max(0, int(box.left - pad)), max(0, int(box.top - pad))
    x1, y1 = min(width, int(box.right + pad)), min(height, int(box.bottom + pad))
    if scale is None:
        scale = (face_px or box.width) / max(1, box.width)
    crop = image[y0:y1, x0:x1]
    size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.ascontiguousarray(cv2.resize(crop, size, interpolation=interpolation)), scale, (x0, y0)
