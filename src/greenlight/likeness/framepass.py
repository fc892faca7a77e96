"""The part of the video scan that depends on the frames alone: cuts, the every-frame pass, the sweeps.

For each frame: whether it starts a shot (``greenlight.likeness.shots``), the full-range BlazeFace
detections on the whole frame, and on the first frame of each shot and every ``SWEEP_INTERVAL`` frames
a sweep: the whole frame in quarter turns (``sweep_turns``) and tiles for small faces
(``sweep_tiles``). None of it depends on what was found on earlier frames, so it (a ``FramePass``) can
run ahead of the tracking in another process (``greenlight.likeness.framefeed``) and give exactly what
the scan would compute itself.

Between sweeps, the frames that change where the whole-frame pass found no face get the back-camera
model at the sweep's finest tiles' scale on crops around each changed patch (``Spotter`` says which
tiles' change is looked at, ``spot_crops`` where): a small face that appears for a few frames between
two sweeps is found on the frame it appears (see ``Spotter`` for what is guaranteed where much of the
frame changes). A crop costs in proportion to its area (``blazeface.detect_at``), not a whole tile.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from math import ceil, floor

import cv2
import numpy as np

from greenlight.likeness import blazeface
from greenlight.likeness.blazeface import Detection
from greenlight.likeness.frames import Frame
from greenlight.likeness.shots import CutDetector
from greenlight.likeness.sweep import (
    EDGE_PAD,
    TURNED_SCORE,
    detect_in,
    edge_padded,
    filling,
    from_padded,
    level_pass,
    levels,
    quarter_turn,
    small_turned,
    tiles,
    unmirrored,
)

SWEEP_INTERVAL = 30
"""Frames between fine sweeps (small and rotated faces), besides the first frame of each shot: a second
at 30 fps."""
NEW_SCORE = 0.5
"""BlazeFace score a detection needs to start a track (MediaPipe's default)."""
FOLLOW_SCORE = 0.3
"""Lower score with which a detection continues a track: BlazeFace's score sags on a face turning to
profile or leaving the frame (the clip's profile: 0.66–0.83 whole, 0.33–0.66 when half cut off)."""


@dataclass(frozen=True)
class FramePass:
    """What the frame alone says: a cut, the whole-frame detections and, on sweep frames, the sweep's."""

    index: int
    cut: bool
    found: tuple[Detection, ...]
    swept: tuple[Detection, ...] | None = None
    picture: bytes = b""
    """The digest of the picture the pass was computed on (``picture_digest``; set by ``FramePasser``)."""
    candidates: tuple[Region, ...] = ()
    """The tiles the schedule's ``Change`` offered (the scan checks them against its own)."""
    spots: tuple[Region, ...] = ()
    """The crops run for the change: around the candidates' change no whole-frame face explains (``spot_crops``)."""
    spotted: tuple[Detection, ...] = ()
    """What those crops found."""
    spots_left: bool = False
    """The crops are still to be run (``with_spots``): a worker left them to the scan."""


Region = tuple[int, int, int, int, str]
"""A tile ``(x0, y0, x1, y1, model)``: a region of the frame and the BlazeFace model run on it."""

CHANGE_SCALE = 8
"""The change detector compares frames shrunk this many times on a side (640×360 → 80×45)."""
CHANGE_LEVEL = 14.0
"""Grey levels a shrunk pixel must change by to count: a 20 px face pasted on a wall changes its 2–3
shrunk pixels by 20 or more; a static shot's sensor and coding noise, averaged over 8×8, by 1–3."""
CHANGE_BACK = 3
"""A frame is compared with the one before and the one this many frames back, so that a face that
appears and then barely moves still counts as a change on each of its first frames."""
BUSY_EVERY = 3
"""A tile that also changed on the frame before (motion, a pan) is run only on every this many frames."""
SPOT_REACH = 0.11
"""A changed patch is looked at with this fraction of the frame's long side around it on every side: a
face as wide as that (the whole-frame pass finds larger ones, ``sweep.FACE_FRACTION``) whose change
touches the patch lies wholly within its crop."""
SPOT_MIN_SIDE = 256
"""Pixels a crop has at least on a side: the back-camera model scores a 20–30 px face lower without the
context around it (measured: 0.38–0.45 in a 120 px crop, 0.71–0.79 in 240 px)."""
SPOT_STEP = 128
"""The model's input sides for a crop are multiples of this (four times its stride): few sizes, because
each size costs a model of its own, loaded once per process (~30 ms of CPU, ~15 MB; ``blazeface.SHAPED_NETS``).
On the sample clip: 2 sizes, against 7 with multiples of 64, for 15 % more pixels."""
CORNER_SIDE = 2 * EDGE_PAD
"""Pixels on a side of the crop each corner of a frame is looked at in, inside a mirror of the frame's edge
(``sweep_corners``): the mirror's margin and as much of the frame, at the picture's own scale (a 128 px input,
as the earlier 220 px crop at the finest tiles' scale cost, which missed a 22 px face flush in a corner with
its chin cut: the model saw it 13 px wide)."""
CORNER_REACH = EDGE_PAD
"""Pixels from a frame's corner within which a change between sweeps has that corner looked at (``with_spots``)."""
EXPLAINED_MARGIN = 0.5
"""A change within a whole-frame detection widened by this fraction of its size on each side is that
face moving, and needs no tiles."""


@dataclass(frozen=True)
class Change:
    """Where a frame changed (a boolean mask of shrunk pixels) and the tiles the schedule allows on it."""

    mask: np.ndarray
    tiles: tuple[Region, ...]
    fresh: tuple[Region, ...] = ()
    """The offered tiles that were quiet on the frame before: something appeared there (``with_spots``
    looks at them in every quarter turn)."""


class Spotter:
    """Finds, from the frames alone, the tiles of the sweep that cover a change since the last frames.

    A tile changed on this frame is offered when it did not change on the frame before (something new
    appeared: a face flashed in a quiet shot is tiled on its first frame), else only on every
    ``BUSY_EVERY``-th frame (a pan or constant motion costs a third of its tiles a frame). So a face on
    screen for ``BUSY_EVERY`` frames or more is tiled on one of them even in a shot that changes all
    over; a face on screen for one or two frames is tiled for sure only where its tile was quiet on the
    frame before it.
    """

    def __init__(self) -> None:
        self._thumbs: deque[np.ndarray] = deque(maxlen=CHANGE_BACK)
        self._busy: set[Region] = set()
        self._regions: list[Region] | None = None

    def reset(self) -> None:
        """Forget earlier frames (a cut: the new shot's first frame is swept whole)."""
        self._thumbs.clear()
        self._busy = set()

    def next(self, index: int, gray: np.ndarray) -> Change | None:
        """The change on the next frame, or None when nothing changed (or it is the first one seen)."""
        height, width = gray.shape[:2]
        thumb = cv2.resize(gray, (max(1, width // CHANGE_SCALE), max(1, height // CHANGE_SCALE)),
                           interpolation=cv2.INTER_AREA).astype(np.int16)
        earlier = (self._thumbs[-1], self._thumbs[0]) if self._thumbs else ()
        self._thumbs.append(thumb)
        if not earlier:
            return None
        mask = (np.abs(thumb - earlier[0]) > CHANGE_LEVEL) | (np.abs(thumb - earlier[1]) > CHANGE_LEVEL)
        if self._regions is None:
            self._regions = spot_regions(height, width)
        changed = {r for r in self._regions if _cells(mask, r, height, width).any()}
        offered = tuple(r for r in self._regions if r in changed and (r not in self._busy or index % BUSY_EVERY == 0))
        fresh = tuple(r for r in offered if r not in self._busy)
        self._busy = changed
        return Change(mask, offered, fresh) if changed else None


class Schedule:
    """Which frames start a shot, which are swept (the first of each shot and every ``interval``) and
    where the others changed.

    Cheap (a 64×36 and an 80×45 thumbnail a frame), so a scan keeps its own even when the passes run elsewhere.
    """

    def __init__(self, interval: int = SWEEP_INTERVAL) -> None:
        self.interval = interval
        self._cuts = CutDetector()
        self._spotter = Spotter()
        self._last_sweep = -interval

    def next(self, index: int, gray: np.ndarray) -> tuple[bool, bool, Change | None]:
        """``(cut, sweep, change)`` for the next frame, given its index and greyscale picture."""
        cut = self._cuts.is_cut(gray)
        if cut:
            self._last_sweep = -self.interval
            self._spotter.reset()
        change = self._spotter.next(index, gray)
        sweep = index - self._last_sweep >= self.interval
        if sweep:
            self._last_sweep = index
        return cut, sweep, None if sweep else change


class FramePasser:
    """Computes the ``FramePass`` of frames fed in order (one per video stream).

    Args:
        interval: frames between sweeps.
        share: given when the passes are computed ahead in a worker, says whether to leave a frame's
            changed-area crops to the scan (``spots_left``), called with the frame's index: the crops are
            the work that can move (they need the frame and its whole-frame detections, which the scan has).
    """

    def __init__(self, interval: int = SWEEP_INTERVAL, share: Callable[[int], bool] | None = None) -> None:
        self.schedule = Schedule(interval)
        self._share = share

    def run(self, frame: Frame) -> FramePass:
        """The pass of the next frame."""
        cut, sweep, change = self.schedule.next(frame.index, frame.gray())
        leave = change is not None and self._share is not None and self._share(frame.index)
        return replace(passes_on(frame, cut, sweep, change, spots=not leave), picture=picture_digest(frame))


def picture_digest(frame: Frame) -> bytes:
    """The SHA-256 of a frame's greyscale picture: a pass computed elsewhere stands for this frame only if
    it was computed on this very picture (a file replaced between two decodings, or a stream that does not
    decode the same twice, gives other pictures under the same frame numbers)."""
    return hashlib.sha256(np.ascontiguousarray(frame.gray())).digest()


def passes_on(frame: Frame, cut: bool, sweep: bool, change: Change | None = None, spots: bool = True) -> FramePass:
    """The whole-frame pass (and, when ``sweep``, the sweep: turns, then tiles; when ``change``, the crops
    of the changed area no whole-frame detection explains) on one frame whose schedule is known.

    With ``spots`` false the crops are left out (``spots_left``), for ``with_spots`` to add.
    """
    rgb = frame.rgb()
    found = tuple(whole_frame(rgb, mirrored=sweep))
    swept = None
    if sweep:
        turns = tile_turns(frame.index, cut)
        swept = tuple(sweep_turns(rgb) + sweep_tiles(rgb, turns) + sweep_corners(rgb))
    if change is None:
        return FramePass(frame.index, cut, found, swept)
    passed = FramePass(frame.index, cut, found, swept, candidates=change.tiles, spots_left=True)
    return with_spots(passed, frame, change) if spots else passed


def with_spots(passed: FramePass, frame: Frame, change: Change) -> FramePass:
    """``passed`` with the crops of ``change`` computed (from the frame and its whole-frame detections)."""
    if not passed.spots_left:
        return passed
    rgb = frame.rgb()
    height, width = rgb.shape[:2]
    spots = spot_crops(change, passed.found, height, width)
    scale = spot_scale(height, width)
    spotted = [d for *box, model in spots for d in _detect_crop(rgb, tuple(box), model, scale)]
    # Where something appeared in a still part of the picture, its crops are looked at turned too: a small
    # face on its side or upside down that enters mid-shot is found on its first frame, not only by the
    # sweeps' turns in rotation (a 20-frame appearance between two sweeps was missed). Crops of tiles that
    # keep changing (motion, a pan) stay upright: on the sample clip those are 95 % of the crops' cost.
    fresh = spot_crops(replace(change, tiles=change.fresh), passed.found, height, width) if change.fresh else ()
    spotted += [d for *box, model in fresh for turn in (1, 2, 3)
                for d in _detect_crop(rgb, tuple(box), model, scale, turn)]
    # A small face that appears flush against a corner is missed in a crop that ends at the frame's edge: a
    # corner where something appeared is looked at inside the mirror of the edge too, as on a sweep
    # (``sweep_corners``); where the corner keeps changing, it is left to the sweeps (the sample clip's busy
    # corners: 92 crops, 0.3 s, a tenth of its scan).
    corners = changed_corners(unexplained(replace(change, tiles=change.fresh), passed.found, height, width),
                              height, width) if fresh else ()
    spotted += sweep_corners(rgb, corners=corners) if corners else []
    return replace(passed, spots=spots + fresh, spotted=tuple(spotted), spots_left=False)


def changed_corners(mask: np.ndarray, height: int, width: int) -> tuple[int, ...]:
    """The corners (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right) within ``CORNER_REACH`` of which
    ``mask`` (shrunk pixels of a ``height`` × ``width`` frame) has a change."""
    rows, cols = mask.shape
    down, across = max(1, ceil(CORNER_REACH * rows / height)), max(1, ceil(CORNER_REACH * cols / width))
    cells = (mask[:down, :across], mask[:down, -across:], mask[-down:, :across], mask[-down:, -across:])
    return tuple(k for k, corner in enumerate(cells) if corner.any())


def unexplained(change: Change, found: tuple[Detection, ...], height: int, width: int) -> np.ndarray:
    """The cells of the change within the offered tiles that no face the whole-frame pass found explains
    (a change within ``EXPLAINED_MARGIN`` of such a face, scoring ``NEW_SCORE`` or more, is that face moving)."""
    offered = np.zeros_like(change.mask)
    for region in change.tiles:
        _cells(offered, region, height, width)[...] = True
    mask = change.mask & offered
    rows, cols = mask.shape
    for d in found:
        if d.score < NEW_SCORE:
            continue  # a weak detection starts no track: the face it may be is looked for like any change
        mx, my = EXPLAINED_MARGIN * (d.right - d.left), EXPLAINED_MARGIN * (d.bottom - d.top)
        x0, x1 = int((d.left - mx) * cols / width), int(np.ceil((d.right + mx) * cols / width))
        y0, y1 = int((d.top - my) * rows / height), int(np.ceil((d.bottom + my) * rows / height))
        mask[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = False
    return mask


def spot_crops(change: Change, found: tuple[Detection, ...], height: int, width: int) -> tuple[Region, ...]:
    """The crops of the frame the back-camera model looks at for a change (``spot_scale``): around each
    patch of unexplained change (``unexplained``), ``SPOT_REACH`` of the long side on every side, at least
    ``SPOT_MIN_SIDE`` on a side; the whole frame where those would cost as much."""
    mask = unexplained(change, found, height, width)
    if not mask.any() or not _back_levels(height, width):
        return ()
    rows, cols = mask.shape
    cell_w, cell_h = width / cols, height / rows
    reach = SPOT_REACH * max(height, width)
    grow = np.ones((2 * ceil(reach / cell_h) + 1, 2 * ceil(reach / cell_w) + 1), np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(mask.astype(np.uint8), grow), connectivity=8)
    boxes = [(int(x * cell_w), int(y * cell_h), min(width, ceil((x + w) * cell_w)), min(height, ceil((y + h) * cell_h)))
             for x, y, w, h, _ in stats[1:]]
    scale = spot_scale(height, width)
    boxes = _merged([_fitted(b, height, width, scale) for b in boxes], height, width, scale)
    if sum(_cost(b, scale) for b in boxes) >= _cost((0, 0, width, height), scale):
        boxes = [(0, 0, width, height)]
    return tuple((*b, "back") for b in sorted(boxes))


def spot_scale(height: int, width: int) -> float:
    """The scale the change's crops are looked at: the sweep's finest tiles' (a face is as many of the
    model's pixels as on those tiles, so as small a face is found)."""
    levels_ = _back_levels(height, width)
    return blazeface.MODELS["back"].side / levels_[-1].side if levels_ else 1.0


def _back_levels(height: int, width: int) -> list:
    return [level for level in _plan(np.empty((height, width, 1), np.uint8))[1:] if level.model == "back"]


def _fitted(box: tuple[int, int, int, int], height: int, width: int, scale: float) -> tuple[int, int, int, int]:
    # At least SPOT_MIN_SIDE on a side (the model needs the context around a small face), then grown to
    # fill the model's input, whose sides are multiples of its stride, with picture rather than black.
    step = SPOT_STEP
    x0, y0, x1, y1 = box
    want_w = floor(ceil(max(x1 - x0, SPOT_MIN_SIDE) * scale / step) * step / scale)
    want_h = floor(ceil(max(y1 - y0, SPOT_MIN_SIDE) * scale / step) * step / scale)
    (left, right), (top, bottom) = _span(x0, x1, want_w, width), _span(y0, y1, want_h, height)
    return left, top, right, bottom


def _span(start: int, end: int, want: int, extent: int) -> tuple[int, int]:
    # [start, end) widened to ``want`` about its middle, kept within [0, extent).
    want = min(want, extent)
    lo = max(0, min(extent - want, (start + end - want) // 2))
    return lo, lo + want


def _merged(boxes: list, height: int, width: int, scale: float) -> list:
    # Crops that overlap become one when that costs no more than the two.
    boxes = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                union = _fitted((min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])), height, width,
                                scale)
                overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                if overlap or _cost(union, scale) <= _cost(a, scale) + _cost(b, scale):
                    boxes[i] = union
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes


def _cost(box: tuple[int, int, int, int], scale: float) -> int:
    step = SPOT_STEP
    return ceil((box[2] - box[0]) * scale / step) * ceil((box[3] - box[1]) * scale / step)


def _detect_crop(rgb: np.ndarray, box: tuple[int, int, int, int], model: str, scale: float,
                 turn: int = 0) -> list[Detection]:
    # A turned crop keeps only what looks like a small face the turn set upright (``sweep.small_turned``).
    x0, y0, x1, y1 = box
    turned, back = quarter_turn(rgb[y0:y1, x0:x1], turn)
    matrix = np.array([[1, 0, x0], [0, 1, y0]], dtype=np.float64) @ np.vstack([back, [0, 0, 1]])
    if not turn:
        return [d.mapped(matrix) for d in blazeface.detect_at(turned, model, scale, NEW_SCORE)]
    keep = small_turned(*rgb.shape[:2])
    return [d.mapped(matrix) for d in blazeface.detect_at(turned, model, scale, max(NEW_SCORE, TURNED_SCORE))
            if keep(d)]


def spot_regions(height: int, width: int) -> list[Region]:
    """The sweep's tiles (``sweep_tiles``) of a frame this size, each with its model: where changes are tiled."""
    plan = _plan(np.empty((height, width, 1), np.uint8))
    return [(*region, level.model) for level in plan[1:] for region in tiles(height, width, level.side)]


def _cells(mask: np.ndarray, region: Region, height: int, width: int) -> np.ndarray:
    rows, cols = mask.shape
    x0, y0, x1, y1, _ = region
    return mask[y0 * rows // height:-(-y1 * rows // height), x0 * cols // width:-(-x1 * cols // width)]


def sweep_turns(rgb: np.ndarray) -> list[Detection]:
    """The first part of a video frame's sweep: the whole frame turned 90°, 180° and 270° (upright is the
    every-frame pass itself), for faces on their side or upside down, and inside a grey border in every
    turn, for a close-up cut inside the face (``sweep.filling``)."""
    found = filling(rgb, threshold=NEW_SCORE)
    for turn in _plan(rgb)[0].turns:
        if turn:
            found += detect_in(rgb, (0, 0, rgb.shape[1], rgb.shape[0]), turn, "full", NEW_SCORE)
    return found


def whole_frame(rgb: np.ndarray, mirrored: bool = False) -> list[Detection]:
    """The every-frame pass: the full-range model on the whole frame; on a sweep frame (``mirrored``) on the
    frame inside a mirror of its own edge (``sweep.edge_padded``), so that a large face cut through the
    middle by the edge is made whole again (``sweep.unmirrored`` takes a reflection back to its face)."""
    if not mirrored:
        return blazeface.detect(rgb, "full", FOLLOW_SCORE)
    height, width = rgb.shape[:2]
    padded, margin = edge_padded(rgb)
    back = from_padded(margin)
    return [unmirrored(d.mapped(back), height, width) for d in blazeface.detect(padded, "full", FOLLOW_SCORE)]


def sweep_corners(rgb: np.ndarray, turns: tuple[int, ...] = (0,), corners: tuple[int, ...] = (0, 1, 2, 3)
                  ) -> list[Detection]:
    """The part of a video frame's sweep for small faces in its corners: each of ``corners`` (0 top-left,
    1 top-right, 2 bottom-left, 3 bottom-right) inside a mirror of the frame's edge (``sweep.edge_padded``), a
    ``CORNER_SIDE`` crop at the picture's own scale, in ``turns`` (a 20 px face flush against a corner, or its
    reflection: ``sweep.unmirrored``). Without it a still's sweep missed 8 of 12 such corners. It costs about
    8 ms a sweep upright, 34 ms in every turn. A sweep runs it upright only: in every turn it took the scan of
    the sample clip below its speed target (a small face turned in a corner of a video is left to the tiles, as
    a turned face anywhere between sweeps is).
    """
    height, width = rgb.shape[:2]
    if not _back_levels(height, width):
        return []
    inside = min(CORNER_SIDE - EDGE_PAD, height, width)
    found = []
    for k in corners:
        right, bottom = k % 2, k // 2
        x, y = width - inside if right else 0, height - inside if bottom else 0
        # The corner's crop of the frame's mirrored copy: the frame's corner, mirrored on its two outer sides.
        crop = cv2.copyMakeBorder(rgb[y:y + inside, x:x + inside], EDGE_PAD * (1 - bottom), EDGE_PAD * bottom,
                                  EDGE_PAD * (1 - right), EDGE_PAD * right, cv2.BORDER_REFLECT)
        shift = np.array([[1, 0, x - EDGE_PAD * (1 - right)], [0, 1, y - EDGE_PAD * (1 - bottom)]], np.float64)
        found += [d.mapped(shift) for turn in turns for d in _detect_crop(crop, (0, 0, crop.shape[1], crop.shape[0]),
                                                                        "back", 1.0, turn)]
    return [unmirrored(d, height, width) for d in found]


def tile_turns(index: int, cut: bool) -> tuple[int, ...]:
    """The quarter turns a sweep's tiles are run in: all four on a shot's first frame, else upright and one
    other, in rotation (each turned tile costs as much as the upright one: all four on every sweep slowed
    the sample clip's scan from 11.3× to 8.1× the per-frame dlib scan)."""
    return (0, 1, 2, 3) if cut else (0, 1 + index // SWEEP_INTERVAL % 3)


def sweep_tiles(rgb: np.ndarray, turns: tuple[int, ...] = (0, 1, 2, 3)) -> list[Detection]:
    """The rest of a video frame's sweep: tiles through the back-camera model, for small faces, in
    ``turns`` with the still's rules for a turned fine tile (``sweep.level_pass``); the full-range
    quarters a still gets are left out.

    A turned tile also finds a small upright face, askew, and an upright tile a turned one: the scan keeps
    such detections of one face apart, as candidates FaceMesh is asked about (``everyframe.candidates``).
    """
    height, width = rgb.shape[:2]
    found = []
    for level in _plan(rgb)[1:]:
        for region in tiles(height, width, level.side):
            for turn in turns:
                found += level_pass(rgb, region, turn, level, NEW_SCORE)
    return found


def _plan(rgb: np.ndarray) -> list:
    plan = levels(*rgb.shape[:2])
    if len(plan) > 2:
        del plan[1]  # the whole frame in every turn, then the back-camera model's tiles for small faces
    return plan
