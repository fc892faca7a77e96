"""A decoded video frame whose RGB and greyscale pictures are made only when asked for."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

# Limited ("TV") range luma 16..235 stretched to 0..255, as a lookup table.
_TV_TO_FULL = np.clip(np.round((np.arange(256) - 16) * 255 / 219), 0, 255).astype(np.uint8)
_MPEG_RANGE = 1  # AVCOL_RANGE_MPEG
_JPEG_RANGE = 2  # AVCOL_RANGE_JPEG
_PLANAR_YUV = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12"})
# Quarter turns counter-clockwise (as the display matrix says) to OpenCV's rotate codes.
_ROTATE = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}


class DecodedFrame:
    """One frame of a video, kept as decoded; conversions are computed on first use and cached.

    Face scans look at the greyscale picture of every frame but need RGB only on a few, and the RGB
    conversion costs twice the decoding itself.

    Args:
        index: 0-based position in the video stream.
        frame: the PyAV ``VideoFrame``.
        turns: quarter turns counter-clockwise that display it upright (its display matrix), 0..3.
        shown: ``(width, height)`` the stored frame is stretched to before it is turned, where its pixels
            are not square (its sample aspect ratio); None where they are.
        reformatter: a PyAV ``VideoReformatter`` the stream's frames share for the RGB conversion: it
            keeps its scaler context from frame to frame, where each frame's own builds one anew (1–2 ms
            of a 0.6 ms conversion at 640×360; the pictures are the same to the bit).
    """

    __slots__ = ("_frame", "_gray", "_reformatter", "_rgb", "_shown", "index", "turns")

    def __init__(self, index: int, frame: Any, turns: int = 0, reformatter: Any = None,
                 shown: tuple[int, int] | None = None) -> None:
        self.index = index
        self.turns = turns % 4
        self._shown = shown
        self._frame = frame
        self._reformatter = reformatter
        self._rgb: np.ndarray | None = None
        self._gray: np.ndarray | None = None

    def rgb(self) -> np.ndarray:
        """The ``(height, width, 3)`` ``uint8`` RGB picture, upright as displayed."""
        if self._rgb is None:
            frame = self._frame
            if self._reformatter is not None:
                frame = self._reformatter.reformat(frame, format="rgb24")
            self._rgb = self._upright(frame.to_ndarray(format="rgb24"))
        return self._rgb

    def gray(self) -> np.ndarray:
        """The ``(height, width)`` ``uint8`` luma, full range (from the Y plane when the frame is YUV), upright."""
        if self._gray is None:
            self._gray = self._upright(self._luma())
        return self._gray

    def _upright(self, picture: np.ndarray) -> np.ndarray:
        # Square-pixel, unrotated frames (nearly all) pass through untouched: no copy, no cost.
        if self._shown is not None:
            picture = cv2.resize(picture, self._shown, interpolation=cv2.INTER_LINEAR)
        return cv2.rotate(picture, _ROTATE[self.turns]) if self.turns else picture

    def _luma(self) -> np.ndarray:
        frame = self._frame
        if frame.format.name not in _PLANAR_YUV:
            return frame.to_ndarray(format="gray")
        plane = frame.planes[0]
        luma = np.frombuffer(plane, np.uint8).reshape(frame.height, plane.line_size)[:, : frame.width]
        full_range = frame.format.name.startswith("yuvj") or frame.color_range == _JPEG_RANGE
        return np.ascontiguousarray(luma) if full_range else cv2.LUT(luma, _TV_TO_FULL)
