"""A layer is premultiplied colour and coverage over a box of the frame; only boxes are composited.

Most of a frame is the plate as it was: working on the boxes where pieces, debris and dust are keeps a
1080p frame cheap while the shot is quiet, and changes nothing in the result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive), plate pixels


@dataclass(frozen=True)
class Layer:
    """``colour`` ``(h, w, 3)`` premultiplied and ``alpha`` ``(h, w)``, float32, over ``box``; None box: empty."""

    box: Box | None
    colour: np.ndarray
    alpha: np.ndarray

    @classmethod
    def empty(cls) -> Layer:
        return cls(None, np.zeros((0, 0, 3), np.float32), np.zeros((0, 0), np.float32))

    def over(self, picture: np.ndarray, roi: Box) -> None:
        """Composite this layer over ``picture`` (float32, covering ``roi``) in place."""
        if self.box is None:
            return
        x0, y0, x1, y1 = self.box
        rx, ry = roi[0], roi[1]
        target = picture[y0 - ry:y1 - ry, x0 - rx:x1 - rx]
        target *= 1 - self.alpha[..., None]
        target += self.colour

    def matte(self, height: int, width: int) -> np.ndarray:
        """The coverage as a full-frame uint8 matte (255 = covered)."""
        out = np.zeros((height, width), np.uint8)
        if self.box is not None:
            x0, y0, x1, y1 = self.box
            out[y0:y1, x0:x1] = np.round(np.clip(self.alpha, 0, 1) * 255).astype(np.uint8)
        return out


def union(boxes: list[Box | None]) -> Box | None:
    """The smallest box holding every box given (None when there are none)."""
    real = [b for b in boxes if b is not None]
    if not real:
        return None
    return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real))


def clip_box(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> Box | None:
    """A box in whole pixels, clipped to the frame (None when nothing of it is inside)."""
    box = (max(int(np.floor(x0)), 0), max(int(np.floor(y0)), 0), min(int(np.ceil(x1)), width),
           min(int(np.ceil(y1)), height))
    return box if box[2] > box[0] and box[3] > box[1] else None
