"""Frames as the video scans see them: an index, a greyscale picture for detection, RGB for identity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

import numpy as np

from greenlight.likeness.faces import grey


class Frame(Protocol):
    """What a scan needs of a frame (``greenlight.media.DecodedFrame`` is one)."""

    index: int

    def rgb(self) -> np.ndarray: ...

    def gray(self) -> np.ndarray: ...


class ArrayFrame:
    """A frame held as an RGB array (generated frames, tests); greyscale is made on first use."""

    __slots__ = ("_gray", "_rgb", "index")

    def __init__(self, index: int, rgb: np.ndarray) -> None:
        self.index = index
        self._rgb = rgb
        self._gray: np.ndarray | None = None

    def rgb(self) -> np.ndarray:
        """The RGB picture, as given."""
        return self._rgb

    def gray(self) -> np.ndarray:
        """The greyscale picture (OpenCV's BT.601 weights)."""
        if self._gray is None:
            self._gray = grey(self._rgb)
        return self._gray


def as_frames(frames: Iterable[Frame | tuple[int, np.ndarray]]) -> Iterator[Frame]:
    """Frames from ``Frame`` objects or ``(index, rgb)`` pairs (as ``greenlight.media.read_frames`` yields)."""
    for item in frames:
        yield ArrayFrame(*item) if isinstance(item, tuple) else item
