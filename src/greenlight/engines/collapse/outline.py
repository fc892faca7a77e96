"""The building's outline: a polygon from JSON or a mask image, checked against the plate, as a mask.

Every bad outline is refused in one line naming its file, before anything is stored: fewer than three
points, an empty (zero-area) or self-intersecting polygon, a point outside the frame, an outline that
covers (nearly) the whole frame, a mask of another size than the plate or with nothing in it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from greenlight.errors import InvalidInput

# An outline this much of the frame leaves nothing around the building to continue into the hole.
MAX_COVER = 0.85
MIN_PIXELS = 64
_HINT = "give the building's outline as [[x, y], …] in plate pixels, at least three points, not crossing itself"


def read_outline_file(path: Path) -> list[list[float]]:
    """The points of an outline JSON file: ``[[x, y], …]`` or ``{"outline": [[x, y], …]}``.

    Raises:
        InvalidInput: the file is missing, not JSON, or holds no list of points.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file", _HINT) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"{path}: not a JSON outline ({str(error).splitlines()[0]})", _HINT) from None
    if isinstance(data, dict):
        data = data.get("outline", data.get("points"))
    if not isinstance(data, list):
        raise InvalidInput(f"{path}: holds no list of points", _HINT)
    return data


def polygon_mask(points: Sequence[tuple[float, float]], width: int, height: int, source: str) -> np.ndarray:
    """The filled polygon as a ``(height, width)`` bool mask, after checking its geometry.

    Raises:
        InvalidInput: fewer than three points, a point not finite or outside the frame, zero area,
            edges that cross, or an outline covering the whole frame.
    """
    where = source or "the outline"
    if len(points) < 3:
        raise InvalidInput(f"{where}: the outline has {len(points)} point(s); a building needs three or more", _HINT)
    pts = np.asarray(points, dtype=np.float64)
    if not np.isfinite(pts).all():
        raise InvalidInput(f"{where}: the outline has a point that is not a finite number", _HINT)
    outside = [i for i, (x, y) in enumerate(pts) if not (0 <= x <= width and 0 <= y <= height)]
    if outside:
        x, y = pts[outside[0]]
        raise InvalidInput(f"{where}: point {outside[0]} ({x:g}, {y:g}) is outside the {width}×{height} frame",
                           "give plate pixel coordinates inside the frame")
    crossing = _first_crossing(pts)
    if crossing is not None:
        raise InvalidInput(f"{where}: the outline crosses itself (edges {crossing[0]} and {crossing[1]})", _HINT)
    if abs(_area(pts)) < MIN_PIXELS:
        raise InvalidInput(f"{where}: the outline is empty (it encloses {abs(_area(pts)):.0f} square pixels)", _HINT)
    mask = np.zeros((height, width), np.uint8)
    cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)
    return _checked(mask.astype(bool), where)


def image_mask(picture: np.ndarray, width: int, height: int, source: str) -> np.ndarray:
    """A mask image (white building on black) as a bool mask the plate's size.

    Raises:
        InvalidInput: the mask is not the plate's size, is empty, or covers the whole frame.
    """
    if picture.shape[:2] != (height, width):
        raise InvalidInput(f"{source}: the mask is {picture.shape[1]}×{picture.shape[0]}, the plate {width}×{height}",
                           "give a mask the plate's size (white where the building is)")
    grey = picture.astype(np.float32).mean(axis=2) if picture.ndim == 3 else picture.astype(np.float32)
    return _checked(grey >= 128, source)


def _checked(mask: np.ndarray, where: str) -> np.ndarray:
    inside = int(mask.sum())
    if inside < MIN_PIXELS:
        raise InvalidInput(f"{where}: the outline is empty ({inside} pixels of building)", _HINT)
    if inside > MAX_COVER * mask.size:
        raise InvalidInput(f"{where}: the outline covers {inside / mask.size:.0%} of the frame, leaving nothing "
                           "around the building", "outline the building only, not the whole frame")
    return mask


def _area(pts: np.ndarray) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _first_crossing(pts: np.ndarray) -> tuple[int, int] | None:
    """The first pair of non-adjacent edges that intersect (touching counts), or None."""
    n = len(pts)
    edges = [(pts[i], pts[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue
            if _segments_meet(*edges[i], *edges[j]):
                return i, j
    return None


def _segments_meet(a, b, c, d) -> bool:
    def orient(p, q, r) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def on(p, q, r) -> bool:
        return min(p[0], r[0]) - 1e-9 <= q[0] <= max(p[0], r[0]) + 1e-9 and \
            min(p[1], r[1]) - 1e-9 <= q[1] <= max(p[1], r[1]) + 1e-9

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if (o1 * o2 < 0) and (o3 * o4 < 0):
        return True
    return any(math.isclose(o, 0.0, abs_tol=1e-9) and on(p, q, r)
               for o, p, q, r in ((o1, a, c, b), (o2, a, d, b), (o3, c, a, d), (o4, c, b, d)))
