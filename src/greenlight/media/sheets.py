"""Pictures people look at instead of reading: before/after pairs laid out side by side."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def before_after(pairs: Sequence[tuple[np.ndarray, np.ndarray]], height: int = 360, gap: int = 6) -> np.ndarray:
    """One RGB picture: each (before, after) pair as a row, labelled, scaled to ``height`` pixels."""
    rows = [_row(before, after, height, gap) for before, after in pairs]
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, gap), (0, width - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    return np.concatenate(rows)[:-gap]


def _row(before: np.ndarray, after: np.ndarray, height: int, gap: int) -> np.ndarray:
    panels = [_label(_fit(before, height), "before"), _label(_fit(after, height), "after")]
    spacer = np.full((height, gap, 3), 255, np.uint8)
    return np.concatenate([panels[0], spacer, panels[1]], axis=1)


def _fit(rgb: np.ndarray, height: int) -> np.ndarray:
    width = max(1, round(rgb.shape[1] * height / rgb.shape[0]))
    interpolation = cv2.INTER_CUBIC if height > rgb.shape[0] else cv2.INTER_AREA
    return cv2.resize(np.ascontiguousarray(rgb), (width, height), interpolation=interpolation)


def _label(rgb: np.ndarray, text: str) -> np.ndarray:
    out = rgb.copy()
    cv2.putText(out, text, (10, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 4, cv2.LINE_AA)
    cv2.putText(out, text, (10, 28), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2, cv2.LINE_AA)
    return out
