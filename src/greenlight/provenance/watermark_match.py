"""Is a traced picture the marked asset's picture, or did someone lift the mark and paste it on another?

The mark's registration says how the read picture sits over the original frame (scale, tilt, flip, and
offset up to whole tiles), so the asset's stored picture can be laid over the read one and compared
directly: blurred luma, correlation over the part both cover, best over the whole-tile offsets. A genuine
copy correlates near 1 whatever was done to it; another face with the residual added does not.
"""

from __future__ import annotations

import cv2
import numpy as np

from greenlight.provenance.watermark import SAMPLES, Registration, reader_plane
from greenlight.provenance.watermark_sync import original_to_read

SAME_PICTURE = 0.8  # edited genuine copies score 0.98-1.0; other pictures carrying a lifted mark at most 0.52
_FLAT = 3.0  # code values: below this spread a picture is flat (a black frame) and only flatness can match
_PLACEMENTS = 9  # whole-tile placements compared, nearest the centre first


def picture_similarity(read: np.ndarray, original: np.ndarray, registration: Registration) -> float:
    """Correlation in [-1, 1] of ``read`` with ``original`` laid over it as ``registration`` says.

    Args:
        read: the picture that was traced (HxWx3/4 uint8).
        original: the asset's stored picture (a frame of it, for a clip).
        registration: from ``extract(read).registration``.
    """
    if registration.window is not None:  # the mark was read inside a screenshot's margins
        top, left, h, w = registration.window
        read = read[top:top + h, left:left + w]
    grid = registration.grid
    target = _smooth(reader_plane(read, grid))
    source = _smooth(reader_plane(original, grid))
    best = -1.0
    for matrix in _placements(registration):
        warped = cv2.warpAffine(source, matrix, (grid, grid), flags=cv2.INTER_LINEAR,
                                borderValue=np.nan)
        best = max(best, _correlation(target, warped))
    return best


def _placements(registration: Registration) -> list[np.ndarray]:
    """The whole-tile placements of the original that put its centre nearest the read picture's centre.

    A crop or a border moves the centre by a tile or so, a flip mirrors it about the whole frame.
    """
    centre = np.array([registration.grid / 2, registration.grid / 2, 1.0])
    tiles = registration.grid // SAMPLES
    options = []
    for tx in range(-tiles, tiles + 1):
        for ty in range(-tiles, tiles + 1):
            matrix = original_to_read(registration, (tx, ty))
            options.append((float(np.linalg.norm(matrix @ centre - centre[:2])), tx, ty, matrix))
    options.sort(key=lambda item: item[0])
    return [matrix for *_, matrix in options[:_PLACEMENTS]]


def same_picture(read: np.ndarray, original: np.ndarray, registration: Registration) -> bool:
    """True when ``read`` is (an edit of) ``original``; False when it is another picture carrying its mark."""
    return picture_similarity(read, original, registration) >= SAME_PICTURE


def _smooth(plane: np.ndarray) -> np.ndarray:
    # Blur away the mark itself, JPEG blocks and resampling; what is left is the picture's layout.
    return cv2.GaussianBlur(plane, (0, 0), 2.0)


def _correlation(target: np.ndarray, warped: np.ndarray) -> float:
    inside = np.isfinite(warped)
    inside[:8], inside[-8:], inside[:, :8], inside[:, -8:] = False, False, False, False
    if inside.sum() < 0.2 * target.size:
        return -1.0
    a, b = target[inside], warped[inside]
    spread_a, spread_b = a.std(), b.std()
    if spread_a < _FLAT or spread_b < _FLAT:
        return 1.0 if max(spread_a, spread_b) < _FLAT and abs(a.mean() - b.mean()) < 40 else 0.0
    return float(np.mean((a - a.mean()) * (b - b.mean())) / (spread_a * spread_b))
