"""Is a traced picture the marked asset's picture, or did someone lift the mark and paste it on another?

The mark's registration says how the read picture sits over the original frame (scale, tilt, flip, and
offset up to whole tiles), so the asset's stored picture can be laid over the read one and compared
directly: blurred luma, correlation over the part both cover, best over the whole-tile offsets. A genuine
copy correlates near 1 whatever was done to it; another face with the residual added does not.
"""

from __future__ import annotations

from dataclasses import replace

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
    """The whole-tile placements of the original that put its centre nearest the read picture's centre,
    at the registration's scale and at twice it.

    A crop or a border moves the centre by a tile or so, a flip mirrors it about the whole frame. A crop
    of a quarter of a small picture is read at half its true scale (the tile's period has a sub-period the
    reader locks on to), and sits half a frame off the centre: compared only at the read scale, genuine
    quarters of a 451×300 still correlated 0.2–0.45 and were called copied marks (0.97 at twice it).
    """
    centre = np.array([registration.grid / 2, registration.grid / 2, 1.0])
    found = []
    for factor in (1, 2):
        scaled = replace(registration, a=tuple(factor * v for v in registration.a),
                         b=tuple(factor * v for v in registration.b))
        tiles = factor * registration.grid // SAMPLES
        options = []
        for tx in range(-tiles, tiles + 1):
            for ty in range(-tiles, tiles + 1):
                matrix = original_to_read(scaled, (tx, ty))
                options.append((float(np.linalg.norm(matrix @ centre - centre[:2])), tx, ty, matrix))
        options.sort(key=lambda item: item[0])
        found += [matrix for *_, matrix in options[:_PLACEMENTS * factor * factor]]
    return found


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
