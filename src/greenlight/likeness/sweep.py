"""Sweeps of BlazeFace passes over one picture: quarter turns, tiles for small faces, the negative.

BlazeFace finds a face only when it is big enough in the model's square input (measured with the
astronaut's face: full-range from 18 px of its 192 px input, about a tenth; the back-camera model from
8–10 px of 256) and roughly upright (up to about ±45°). A sweep therefore runs the model on the whole
picture turned by 0°, 90°, 180° and 270°, and on overlapping tiles small enough that a ``MIN_FACE_PX``
face fills a tenth of a tile; a photo negative is swept too, because a person still sees a face in it.
Detections from every pass are mapped back to the picture and merged; each keeps how many passes
found it, which the caller uses to tell faces from chance hits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from greenlight.likeness import blazeface
from greenlight.likeness.align import face_presence
from greenlight.likeness.blazeface import Detection

MIN_FACE_PX = 20
"""The smallest face width (in picture pixels) a full still sweep is built to find."""
FACE_FRACTION = {"full": 0.11, "back": 0.045}
"""A face must be this fraction of a model's input side to be found (measured with the astronaut's face:
full-range from 18 px of 192, back-camera from 10 px of 256, each with a margin)."""
EDGE_PAD = 64
"""Pixels of mirrored edge a picture is swept inside (``edge_padded``)."""
EDGE_SLACK = 0.25
"""How far (in face widths) a face found on the mirrored margin may be centred outside the picture and still be
the picture's own face, cut by its edge (the mirror's twin of a face nearer the edge than that overlaps it)."""
CORNER_TILE = 256
"""Pixels on a side of the extra tile each corner of an edge-padded still is swept in (``sweep``): the back-camera
model's input, so a face there is seen at its own size, with the mirror's margin around it."""
TILE_OVERLAP = 0.3
"""Neighbouring tiles overlap by this fraction of a tile, so a face cut by one edge is whole in the next."""
MERGE_IOU = 0.3
"""Detections from different passes overlapping this much are one face."""
TURNED_SCORE = 0.6
"""BlazeFace score a detection on a turned fine tile of a video frame needs (see ``level_pass``)."""
STILL_TURNED_SCORE = 0.5
"""The same on a still, where FaceMesh (then dlib's CNN) checks every detection (``detector.find_faces``):
at 0.6, 20 px faces turned (resampled) in a 1280×720 picture scored 0.50–0.60 and were missed (3 of 72:
six sample faces in three turns at 20 and 28 px, 720p and 1080p); at 0.5, 1 of the 36 at 20 px. A video's
frames keep 0.6: its tracks are checked less (at 0.5 a turned 22 px face in 1080p gave a second, spurious track)."""
TURNED_ROLL = 45
"""Degrees from upright a detection on a turned fine tile may lie in that tile (BlazeFace's own range)."""
ROLL_DISTINCT = 30
"""Degrees apart two detections' rolls must be for both to be kept as candidates for one face."""
FILL_PAD = 0.5
"""Grey border, as a fraction of the picture's long side, around the picture for the close-up pass
(``filling``): a face cut tighter than brow to chin scores 0.3–0.6 alone, 0.7–0.9 with it (short-range model)."""
FILL_SIZE = 0.4
"""The close-up pass keeps only faces at least this fraction of the picture's short side wide."""
FILL_PRESENCE = 0.99
"""FaceMesh face-presence a close-up pass's detection needs (24 close-ups of six sample faces: 1.0000 each;
the astronaut's mission patch, a round emblem: 0.65–0.95 as the detection threshold varies)."""


@dataclass(frozen=True)
class Found:
    """A face found by a sweep: the best detection (in picture pixels) and how many passes found it."""

    detection: Detection
    votes: int
    negative: bool = False
    others: tuple[Detection, ...] = ()
    """The group's other detections, best first, one per distinct roll (a face upside down is also
    detected, weakly and with wrong keypoints, by the upright pass: the turned pass's keypoints are right)."""

    @property
    def score(self) -> float:
        return self.detection.score


@dataclass(frozen=True)
class Level:
    """One level of a sweep: tiles of ``side`` pixels, the model run on them and the turns tried."""

    side: int
    model: str
    turns: tuple[int, ...]


def quarter_turn(rgb: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``rgb`` turned ``k`` quarter turns counter-clockwise, and the 2×3 matrix taking its points back."""
    height, width = rgb.shape[:2]
    back = {
        0: [[1, 0, 0], [0, 1, 0]],
        1: [[0, -1, width], [1, 0, 0]],
        2: [[-1, 0, width], [0, -1, height]],
        3: [[0, 1, 0], [-1, 0, height]],
    }[k % 4]
    return np.ascontiguousarray(np.rot90(rgb, k)), np.array(back, dtype=np.float64)


def tiles(height: int, width: int, side: int, overlap: float = TILE_OVERLAP) -> list[tuple[int, int, int, int]]:
    """Overlapping square tiles ``(x0, y0, x1, y1)`` of ``side`` pixels covering a picture."""
    side = max(1, min(side, max(height, width)))
    step = max(1, int(side * (1 - overlap)))

    def starts(extent: int) -> list[int]:
        if extent <= side:
            return [0]
        return list(range(0, extent - side, step)) + [extent - side]

    return [(x, y, min(width, x + side), min(height, y + side)) for y in starts(height) for x in starts(width)]


def levels(height: int, width: int, turns: tuple[int, ...] = (0, 1, 2, 3), min_face: int = MIN_FACE_PX) -> list[Level]:
    """The levels of a still sweep, coarse to fine.

    The whole picture and its quarters are run through the full-range model in every turn; finer tiles,
    halving down to the side where a ``min_face`` face is still findable, through the back-camera model
    (it finds faces a third the size the full-range model needs, at 12–20 ms a pass), in every turn too:
    upright only, a 20–40 px face on its side or upside down in a 1080p or 3000² picture was missed
    (upside down at 24 px in 1080p: 6 of 6), at four times the cost of the tiles.
    """
    long_side = max(height, width)
    result = [Level(long_side, "full", turns)]
    if long_side * FACE_FRACTION["full"] <= min_face:
        return result
    result.append(Level(long_side // 2, "full", turns))
    if long_side // 2 * FACE_FRACTION["full"] <= min_face:
        return result
    finest = max(blazeface.MODELS["back"].side, int(min_face / FACE_FRACTION["back"]))
    side = long_side // 4
    while side > 1.5 * finest:
        result.append(Level(side, "back", turns))
        side //= 2
    result.append(Level(min(finest, long_side), "back", turns))
    return result


def detect_in(rgb: np.ndarray, box: tuple[int, int, int, int], turn: int = 0, model: str = "full",
              threshold: float = 0.5, keep: Callable[[Detection], bool] | None = None) -> list[Detection]:
    """BlazeFace on one region of ``rgb`` turned ``turn`` quarter turns, mapped back to ``rgb``'s pixels
    (only the detections ``keep`` accepts as found on the turned region, when given)."""
    x0, y0, x1, y1 = box
    turned, back = quarter_turn(rgb[y0:y1, x0:x1], turn)
    shift = np.array([[1, 0, x0], [0, 1, y0]], dtype=np.float64)
    matrix = shift @ np.vstack([back, [0, 0, 1]])
    return [d.mapped(matrix) for d in blazeface.detect(turned, model, threshold) if keep is None or keep(d)]


def sweep(rgb: np.ndarray, *, turns: tuple[int, ...] = (0, 1, 2, 3), min_face: int = MIN_FACE_PX,
          negative: bool = True, threshold: float = 0.5, margin: int = 0) -> list[Found]:
    """Every BlazeFace detection on a still, over the ``levels`` of its size; the negative's two coarsest too.

    Args:
        margin: pixels of ``rgb`` on each side that are a border added around the picture (``edge_padded``):
            the close-up pass looks inside it.

    Returns:
        Merged detections in picture pixels, best first.
    """
    inside = rgb[margin:rgb.shape[0] - margin, margin:rgb.shape[1] - margin]
    shift = np.array([[1, 0, margin], [0, 1, margin]], dtype=np.float64)
    found: list[tuple[Detection, bool]] = [(d.mapped(shift), False) for d in filling(inside, turns, threshold)]
    height, width = rgb.shape[:2]
    plan = levels(height, width, turns, min_face)
    for level in plan:
        for region in tiles(height, width, level.side):
            for turn in level.turns:
                found += [(d, False) for d in level_pass(rgb, region, turn, level, threshold, STILL_TURNED_SCORE)]
    if margin and len(plan) > 2:
        corner = Level(min(CORNER_TILE, height, width), "back", turns)
        for region in corner_tiles(height, width, corner.side):
            for turn in turns:
                found += [(d, False) for d in level_pass(rgb, region, turn, corner, threshold, STILL_TURNED_SCORE)
                          if _at_corner(d, region, height, width, 2 * margin)]
    if negative:
        # A negative is most often a whole photo: its whole picture in every turn, its quarters upright.
        inverted = 255 - rgb
        for level in plan[:2]:
            for region in tiles(height, width, level.side):
                for turn in level.turns if level is plan[0] else (0,):
                    found += [(d, True) for d in detect_in(inverted, region, turn, level.model, threshold)]
    return merge(found)


def corner_tiles(height: int, width: int, side: int) -> list[tuple[int, int, int, int]]:
    """The four ``side`` × ``side`` tiles ``(x0, y0, x1, y1)`` at the corners of a picture.

    On a still's mirrored copy (``edge_padded``) they hold the picture's corners and the mirror's margin at the
    back-camera model's own scale: the finest tiles see a 1080p picture at 0.58 of it, where a 20–24 px face in a
    corner cut by the frame (its chin, its forehead, 40 % of it) was missed (6 of 59).
    """
    xs, ys = sorted({0, max(0, width - side)}), sorted({0, max(0, height - side)})
    return [(x, y, min(width, x + side), min(height, y + side)) for y in ys for x in xs]


def _at_corner(det: Detection, region: tuple[int, int, int, int], height: int, width: int, reach: int) -> bool:
    # A corner tile is there for a face at the corner: on a small picture it covers most of it, finer than its
    # finest tiles, in every turn (the cat of skimage's scenery gave a face so, FaceMesh 0.975 on a turned hit).
    x0, y0, x1, y1 = region
    across = det.left < reach if x0 == 0 else det.right > width - reach
    down = det.top < reach if y0 == 0 else det.bottom > height - reach
    return across and down


def edge_padded(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    """``rgb`` with ``EDGE_PAD`` pixels of its own edge mirrored around it, and that margin.

    BlazeFace wants the context around a face: a 20 px face flush against a corner of a 1080p or 4K frame
    was missed (8 of 12), and so was a large face cut through the middle by the frame's edge (3 of 39 cut
    photos: the mirror makes it whole again). A still is swept padded so: its tiles cover the margin too,
    which costs 10–40 % more (a 4K, a 1280×720 picture).
    """
    return cv2.copyMakeBorder(rgb, EDGE_PAD, EDGE_PAD, EDGE_PAD, EDGE_PAD, cv2.BORDER_REFLECT), EDGE_PAD


def from_padded(margin: int) -> np.ndarray:
    """The 2×3 matrix taking points of a picture's ``edge_padded`` copy (of ``margin``) to the picture's own."""
    return np.array([[1, 0, -margin], [0, 1, -margin]], dtype=np.float64)


def _on_picture(cx: float, cy: float, face_width: float, height: int, width: int) -> bool:
    """Whether a face centred at ``(cx, cy)`` (picture pixels), found on the picture's ``edge_padded`` copy,
    is the picture's own: inside it, or cut by its edge and made whole by the mirror (``EDGE_SLACK``)."""
    slack = EDGE_SLACK * face_width
    return -slack <= cx < width + slack and -slack <= cy < height + slack


def unmirrored(det: Detection, height: int, width: int) -> Detection:
    """A detection (picture pixels) of the ``edge_padded`` copy, where it lies on the picture: one found on
    the mirrored margin is the reflection of a face against that edge (the face itself may be missed: a
    20 px face in a corner was found only in its reflection), so it is reflected back onto the picture."""
    cx, cy = det.centre
    if _on_picture(cx, cy, det.width, height, width):
        return det
    flip_x, flip_y = not -1 < cx < width, not -1 < cy < height
    sx, tx = (-1, (2 * width - 1) if cx >= width else -1) if flip_x else (1, 0)
    sy, ty = (-1, (2 * height - 1) if cy >= height else -1) if flip_y else (1, 0)
    return det.mapped(np.array([[sx, 0, tx], [0, sy, ty]], dtype=np.float64))


def filling(rgb: np.ndarray, turns: tuple[int, ...] = (0, 1, 2, 3), threshold: float = 0.5) -> list[Detection]:
    """A face cropped to fill the picture (a close-up cut inside its jaw line and hairline): BlazeFace
    wants the context around a face, so the picture is run again inside a grey border (``FILL_PAD``),
    through the short-range model, in ``turns``; only faces filling much of it (``FILL_SIZE``) that FaceMesh
    is sure of (``FILL_PRESENCE``) are kept.

    The model sees 128 px, so the picture is shrunk to that before it is bordered and turned (a 640×360
    frame's four passes: 46 ms bordered at full size, a few ms shrunk). Without it every tight close-up of
    six sample faces, at its own size, enlarged to 900 px or turned, was missed (24 of 24).
    """
    height, width = rgb.shape[:2]
    scale = min(1.0, blazeface.MODELS["short"].side / ((1 + 2 * FILL_PAD) * max(height, width)))
    small = rgb if scale == 1.0 else cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
                                                interpolation=cv2.INTER_AREA)
    pad = round(FILL_PAD * max(small.shape[:2]))
    bordered = cv2.copyMakeBorder(small, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(128, 128, 128))
    found = [_unshrunk(d, pad, width / small.shape[1], height / small.shape[0])
             for turn in turns for d in detect_in(bordered, (0, 0, bordered.shape[1], bordered.shape[0]), turn,
                                                  "short", threshold)]
    found = [d for d in found if d.width >= FILL_SIZE * min(height, width)]
    if not found:
        return []
    pad = round(FILL_PAD * max(height, width))
    bordered = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(128, 128, 128))
    shift = np.array([[1, 0, pad], [0, 1, pad]], dtype=np.float64)
    return [d for d in found if face_presence(bordered, d.mapped(shift)) >= FILL_PRESENCE]


def _unshrunk(d: Detection, pad: float, sx: float, sy: float) -> Detection:
    # A detection on the bordered, shrunk picture in the picture's own pixels.
    points = (d.keypoints - pad) * (sx, sy)
    return Detection((d.left - pad) * sx, (d.top - pad) * sy, (d.right - pad) * sx, (d.bottom - pad) * sy, d.score,
                     points)


def level_pass(rgb: np.ndarray, region: tuple[int, int, int, int], turn: int, level: Level,
               threshold: float, turned_score: float = TURNED_SCORE) -> list[Detection]:
    """One pass of a sweep: ``level``'s model on ``region`` turned ``turn`` quarter turns, in ``rgb``'s pixels
    (a fine tile turned needs ``turned_score`` besides)."""
    # A fine tile turned is there for a small face on its side or upside down, nothing else, so what it
    # finds must look like one: no wider than the full-range levels' smallest face (a turned tile sees a
    # large face's brow and hair as a face upside down, and the merge could keep that box), scoring
    # turned_score (chance hits on texture reach 0.58 turned; a resampled 20 px face turned 0.50–0.65, some less),
    # and upright within TURNED_ROLL in the turned tile, as a face the turn has undone is.
    if level.model != "back" or turn == 0:
        return detect_in(rgb, region, turn, level.model, threshold)
    return detect_in(rgb, region, turn, level.model, max(threshold, turned_score), keep=small_turned(*rgb.shape[:2]))


def small_turned(height: int, width: int) -> Callable[[Detection], bool]:
    """Whether a detection on a turned fine tile of a ``height`` × ``width`` picture looks like a small face
    the turn has set upright (``level_pass``); its score is held to ``TURNED_SCORE`` besides."""
    largest = max(height, width) // 2 * FACE_FRACTION["full"]
    return lambda d: d.width <= largest and abs(d.roll()) <= TURNED_ROLL


def merge(found: list[tuple[Detection, bool]], iou: float = MERGE_IOU) -> list[Found]:
    """Detections from several passes merged: the best of each overlapping group, with its vote count.

    Overlap is also counted when one box lies mostly inside the other (a tile may see half a face).
    """
    remaining = sorted(found, key=lambda pair: -pair[0].score)
    merged: list[Found] = []
    while remaining:
        best, inverted = remaining[0]
        group = [p for p in remaining if _same(p[0], best, iou)]
        remaining = [p for p in remaining if not _same(p[0], best, iou)]
        others: list[Detection] = []
        for det, _ in group[1:]:
            if all(roll_gap(det, d) > ROLL_DISTINCT for d in [best, *others]):
                others.append(det)
        merged.append(Found(best, len(group), inverted, tuple(others)))
    return merged


def roll_gap(a: Detection, b: Detection) -> float:
    """Degrees between two detections' rolls (0–180)."""
    return abs((a.roll() - b.roll() + 180) % 360 - 180)


def _same(a: Detection, b: Detection, iou: float) -> bool:
    if a.iou(b) >= iou:
        return True
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    inter = max(0.0, w) * max(0.0, h)
    smaller = min(a.width * a.height, b.width * b.height)
    return smaller > 0 and inter / smaller >= 0.6
