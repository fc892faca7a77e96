"""Contact sheets of a collapse: every Nth beauty frame, and the matte passes beside the beauty."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from greenlight.engines.collapse.shot import PASSES


def contact_sheet(frames: Sequence[np.ndarray], every: int = 8, columns: int = 4, width: int = 480,
                  first: int = 0) -> np.ndarray:
    """Every ``every``-th frame, ``columns`` across, each ``width`` pixels wide and labelled with its number."""
    picked = list(range(first, len(frames), every))
    tiles = [_label(_fit(frames[i], width), f"{i}") for i in picked]
    return _grid(tiles, columns)


def matte_sheet(beauty: Sequence[np.ndarray], mattes: Sequence[dict[str, np.ndarray]], picks: Sequence[int],
                width: int = 320) -> np.ndarray:
    """One row per picked frame: the beauty, then each matte pass (white = covered)."""
    rows = []
    for i in picks:
        tiles = [_label(_fit(beauty[i], width), f"{i} beauty")]
        tiles += [_label(_fit(np.repeat(mattes[i][n][..., None], 3, 2), width), n) for n in PASSES]
        rows.append(tiles)
    return _grid([t for row in rows for t in row], 1 + len(PASSES))


def _fit(rgb: np.ndarray, width: int) -> np.ndarray:
    height = int(round(rgb.shape[0] * width / rgb.shape[1]))
    return cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)


def _label(rgb: np.ndarray, text: str) -> np.ndarray:
    out = rgb.copy()
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(out, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def _grid(tiles: list[np.ndarray], columns: int, gap: int = 4) -> np.ndarray:
    h, w = tiles[0].shape[:2]
    rows = (len(tiles) + columns - 1) // columns
    sheet = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, 3), 24, np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, columns)
        sheet[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = tile
    return sheet
