"""The before/after sheet: rows of different shapes fill one width, so no blank strip shows beside any."""

from __future__ import annotations

import numpy as np

from greenlight.media.sheets import before_after

GAP = 6


def grey(height: int, width: int, value: int) -> np.ndarray:
    return np.full((height, width, 3), value, np.uint8)


def row_bands(sheet: np.ndarray) -> list[np.ndarray]:
    """The sheet cut at its white gap rows, into its picture rows."""
    white_rows = (sheet == 255).all(axis=(1, 2))
    bands, start = [], 0
    for y in range(len(white_rows) + 1):
        if y == len(white_rows) or white_rows[y]:
            if y > start:
                bands.append(sheet[start:y])
            start = y + 1
    return bands


def test_a_wide_frame_and_a_square_crop_fill_the_same_width():
    frame, crop = grey(384, 512, 90), grey(200, 200, 140)  # a 4:3 frame, and a square face crop
    sheet = before_after([(frame, frame), (crop, crop)], height=360, gap=GAP)
    bands = row_bands(sheet)
    assert len(bands) == 2
    for band in bands:
        # Nothing white at either edge of any row: every row reaches the sheet's right edge.
        assert not (band[:, -1] == 255).all(axis=1).any()
        assert not (band[:, 0] == 255).all(axis=1).any()
    widest = 2 * round(512 * 360 / 384) + GAP
    assert sheet.shape[1] == widest
    assert bands[0].shape[0] == 360 and bands[1].shape[0] == round((widest - GAP) / 2)


def test_each_row_keeps_its_pictures_shape_and_order():
    before, after = grey(100, 300, 40), grey(100, 300, 200)
    tall_before, tall_after = grey(300, 100, 60), grey(300, 100, 180)
    sheet = before_after([(before, after), (tall_before, tall_after)], height=120, gap=GAP)
    top, bottom = row_bands(sheet)
    assert top.shape[1] == bottom.shape[1] == sheet.shape[1] == 2 * 360 + GAP
    half = (sheet.shape[1] - GAP) // 2
    # Away from the labels (top left of each panel): before on the left, after on the right.
    assert top[-5, 5, 0] == 40 and top[-5, -5, 0] == 200
    assert bottom[-5, 5, 0] == 60 and bottom[-5, -5, 0] == 180
    assert abs(bottom.shape[0] - 3 * half) <= 3  # the tall pair keeps its 1:3 shape, scaled up
