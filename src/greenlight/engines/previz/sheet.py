"""The contact sheet of a previz job: every variation in a grid, each captioned with its number and seed,
so a reviewer can pick one and anyone can make it again."""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

CAPTION = 30  # pixels of caption strip under each frame
GAP = 8


def contact_sheet(frames: Sequence[np.ndarray], seeds: Sequence[int], title: str = "", tile: int = 256) -> np.ndarray:
    """One RGB picture of ``frames`` in a grid, captioned ``#i  seed S``, with ``title`` above.

    Args:
        frames: RGB ``uint8`` arrays, all the same size.
        seeds: the seed of each frame.
        title: a line above the grid (the brief), cut to fit.
        tile: the height each frame is scaled to.
    """
    if not frames or len(frames) != len(seeds):
        raise ValueError("a contact sheet needs one seed per frame, and at least one frame")
    columns = math.ceil(math.sqrt(len(frames)))
    rows = math.ceil(len(frames) / columns)
    height, width = frames[0].shape[:2]
    tile_w = max(1, round(width * tile / height))
    cell_w, cell_h = tile_w + GAP, tile + CAPTION + GAP
    top = 40 if title else GAP
    sheet = np.full((top + rows * cell_h, GAP + columns * cell_w, 3), 255, np.uint8)
    if title:
        _text(sheet, _fit(title, sheet.shape[1] - 2 * GAP, 0.6), (GAP, 27), 0.6)
    for i, (frame, seed) in enumerate(zip(frames, seeds, strict=True)):
        x, y = GAP + (i % columns) * cell_w, top + (i // columns) * cell_h
        # Small frames are enlarged without smoothing, so the reviewer sees the pixels the model made.
        scaling = cv2.INTER_NEAREST if tile > height else cv2.INTER_AREA
        sheet[y:y + tile, x:x + tile_w] = cv2.resize(np.ascontiguousarray(frame), (tile_w, tile), interpolation=scaling)
        _text(sheet, f"#{i + 1}  seed {seed}", (x + 2, y + tile + 21), 0.55)
    return sheet


def _text(image: np.ndarray, text: str, origin: tuple[int, int], scale: float) -> None:
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (20, 20, 20), 1, cv2.LINE_AA)


def _fit(text: str, width: int, scale: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` pixels; OpenCV's fonts draw ASCII only."""
    text = text.encode("ascii", "replace").decode("ascii")
    while text and cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][0] > width:
        text = text[:-4] + "..."
    return text
