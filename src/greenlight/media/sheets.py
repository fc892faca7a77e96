"""Pictures people look at instead of reading: before/after pairs laid out side by side."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def before_after(pairs: Sequence[tuple[np.ndarray, np.ndarray]], height: int = 360, gap: int = 6) -> np.ndarray:
    """One RGB picture: each (before, after) pair as a labelled row, every row as wide as the widest.

    The widest row is ``height`` pixels tall; a narrower pair (a square crop beside a wide frame) is
    scaled up to the same width, so no row leaves a blank strip beside it. Rows and panels are
    ``gap`` pixels apart, on white.
    """
    width = max(_width(before, height) + gap + _width(after, height) for before, after in pairs)
    rows = [_row(before, after, width, gap) for before, after in pairs]
    rows = [np.pad(r, ((0, gap), (0, 0), (0, 0)), constant_values=255) for r in rows]
    return np.concatenate(rows)[:-gap]


def _row(before: np.ndarray, after: np.ndarray, width: int, gap: int) -> np.ndarray:
    """The pair side by side, at the height that makes the row exactly ``width`` pixels wide."""
    aspects = [image.shape[1] / image.shape[0] for image in (before, after)]
    height = max(1, round((width - gap) / sum(aspects)))
    left = _fit(before, height)
    right = _resized(after, width - gap - left.shape[1], height)  # takes up the rounding, a pixel at most
    spacer = np.full((height, gap, 3), 255, np.uint8)
    return np.concatenate([_label(left, "before"), spacer, _label(right, "after")], axis=1)


def _width(rgb: np.ndarray, height: int) -> int:
    return max(1, round(rgb.shape[1] * height / rgb.shape[0]))


def _fit(rgb: np.ndarray, height: int) -> np.ndarray:
    return _resized(rgb, _width(rgb, height), height)


def _resized(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    interpolation = cv2.INTER_CUBIC if height > rgb.shape[0] else cv2.INTER_AREA
    return cv2.resize(np.ascontiguousarray(rgb), (max(1, width), height), interpolation=interpolation)


def _label(rgb: np.ndarray, text: str) -> np.ndarray:
    out = rgb.copy()
    cv2.putText(out, text, (10, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 4, cv2.LINE_AA)
    cv2.putText(out, text, (10, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2, cv2.LINE_AA)
    return out
