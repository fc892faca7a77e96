"""The 68-point landmark layout and the face frame every other step measures in.

Sizes are in units of the inter-ocular distance (IOD) so that one set of numbers works for a
close-up and for a wide shot; ``FaceFrame.scale`` converts to pixels at "360p scale", where a
typical talking head in a 640×360 plate has an IOD of about 36 px.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from greenlight.domain import Box

JAW = slice(0, 17)
BROW_R = slice(17, 22)  # the person's right brow: image left
BROW_L = slice(22, 27)
NOSE_BRIDGE = slice(27, 31)
NOSE_BASE = slice(31, 36)
EYE_R = slice(36, 42)
EYE_L = slice(42, 48)
LIPS_OUTER = slice(48, 60)

REFERENCE_IOD = 36.0  # px: the face size the band widths below are tuned for
UNIT_SPAN = 256.0  # a face's jaw span in "units": retouch bands are measured in span / 256


@dataclass(frozen=True)
class FaceFrame:
    """Where a face is and which way it points, from its landmarks.

    Attributes:
        center: mean of all 68 points, (x, y) in pixels.
        iod: distance between the eye centres, pixels.
        right: unit vector from the image-left eye to the image-right eye.
        down: unit vector from the brows towards the chin (``right`` turned 90°).
    """

    center: np.ndarray
    iod: float
    right: np.ndarray
    down: np.ndarray

    @property
    def scale(self) -> float:
        """Pixels per pixel-at-360p: band widths are multiplied by this."""
        return self.iod / REFERENCE_IOD

    @classmethod
    def from_landmarks(cls, pts: np.ndarray) -> FaceFrame:
        """Build the frame of a (68, 2) landmark array.

        Raises:
            ValueError: the points are degenerate (both eyes in one place).
        """
        eye_r = pts[EYE_R].mean(axis=0)
        eye_l = pts[EYE_L].mean(axis=0)
        axis = eye_l - eye_r
        iod = float(np.hypot(*axis))
        if iod < 1e-3:
            raise ValueError("degenerate landmarks: the eyes coincide")
        right = axis / iod
        down = np.array([-right[1], right[0]])
        return cls(center=pts.mean(axis=0), iod=iod, right=right, down=down)


def face_unit(pts: np.ndarray) -> float:
    """Pixels per face unit: the jaw line's span (points 0 to 16) divided by ``UNIT_SPAN``."""
    return max(float(np.hypot(*(pts[16] - pts[0]))), 1.0) / UNIT_SPAN


def box_from_landmarks(pts: np.ndarray, width: int, height: int) -> Box:
    """A detector-like box around landmarks, to refit the next frame's landmarks from.

    The 68-point predictor was trained on HOG detector boxes; the offsets below were fitted on
    the sample faces (detector box ≈ 1.12 × 1.08 the landmark extent, shifted up by 11 %), so a
    box made from last frame's points looks to the predictor like a fresh detection.

    Args:
        pts: (68, 2) landmarks in pixels.
        width, height: the frame size, to clip the box to.

    Returns:
        The box, clipped to the frame.
    """
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    extent = hi - lo
    cx = (lo[0] + hi[0]) / 2 - 0.038 * extent[0]
    cy = (lo[1] + hi[1]) / 2 - 0.106 * extent[1]
    half = max(1.12 * extent[0], 1.08 * extent[1]) / 2
    return Box(
        left=int(max(0, round(cx - half))),
        top=int(max(0, round(cy - half))),
        right=int(min(width, round(cx + half))),
        bottom=int(min(height, round(cy + half))),
    )


def forehead_points(pts: np.ndarray, frame: FaceFrame, height: float = 0.9) -> np.ndarray:
    """Points above the brows, up to where the forehead usually meets the hair.

    Args:
        pts: (68, 2) landmarks.
        frame: the face frame of ``pts``.
        height: how far above the brows, in IOD (0.9 reaches most hairlines; hair that
            comes lower is left out by the skin-colour gate in ``masks``).

    Returns:
        (10, 2) points, image-left to image-right, following the brow curve.
    """
    brows = np.concatenate([pts[BROW_R], pts[BROW_L]])
    # Bow the line: the forehead is higher in the middle than at the temples.
    t = np.linspace(-1.0, 1.0, len(brows))
    lift = height * frame.iod * (1.0 - 0.25 * t**2)
    return brows - np.outer(lift, frame.down)


def crop_box(pts: np.ndarray, frame: FaceFrame, width: int, height: int, margin: float = 1.0) -> Box:
    """The region to process a face in: landmarks plus forehead, with room for filters and warp.

    Args:
        pts: (68, 2) landmarks.
        frame: their face frame.
        width, height: the frame size.
        margin: extra border in IOD.

    Returns:
        The crop, clipped to the frame (may be empty for a face entirely off-frame).
    """
    allpts = np.concatenate([pts, forehead_points(pts, frame)])
    lo = allpts.min(axis=0) - margin * frame.iod
    hi = allpts.max(axis=0) + margin * frame.iod
    return Box(
        left=int(max(0, np.floor(lo[0]))),
        top=int(max(0, np.floor(lo[1]))),
        right=int(min(width, np.ceil(hi[0]))),
        bottom=int(min(height, np.ceil(hi[1]))),
    )
