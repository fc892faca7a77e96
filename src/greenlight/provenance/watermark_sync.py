"""Reading the watermark: find the tile lattice, fold the picture onto one tile, find its offset and flip.

The picture is resized to a 256x256 grid (an unedited frame then holds the 8x8 tiles at a 32-sample
period) and whitened (band-pass luma over local contrast, so texture and brightness do not weigh). The
unedited frame's lattice is tried first. Otherwise a crop, a border or a rotation has changed the period
and tilt of the repeating chips: the spectrum of the plane shows them as a lattice of small peaks, and a
comb search over scale (each way) and tilt finds where the most power sits on lattice harmonics. Folding
along the best lattices sums every tile in view into one 32x32 tile; a correlation with each bit's keyed
chips at every cyclic offset, for the 8 flips and quarter turns, finds the registration and the bits,
and the best few are polished on the fold itself. Confidence is the mean |z-score| of the 64 bit
correlations; the CRC decides. A screenshot's uniform margins are cut off first (``trim_borders``).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools

import cv2
import numpy as np

from greenlight.provenance.watermark import (
    GRIDS,
    READ_GRID,
    SAMPLES,
    Registration,
    WatermarkRead,
    bit_templates,
    check_crc,
    check_image,
    codeword,
    luma,
    reader_plane,
    whiten,
)

SCALES = (0.7, 1.35)  # tile periods searched, over an unedited frame's: a border shrinks them, a crop grows them
MAX_DEGREES = 3.0  # rotations searched either way
COMB_REACH = 9  # lattice harmonics used, out to about the chips' own frequency
MIN_CONFIDENCE = 1.0  # below this nothing is claimed (unmarked pictures score 0.9-1.7, see bench/provenance.py)
CHASE_CONFIDENCE = 1.5  # from here on the best candidate may have two weak bits flipped to meet the CRC, below one
REFINED = 2  # registrations refined on the fold and tried against the CRC
UNEDITED = ((float(SAMPLES), 0.0), (0.0, float(SAMPLES)))
_VARIANTS = 8  # the tile as read, flipped either way, turned a half, and the same transposed


def read_picture(rgb: np.ndarray, expected: int | None = None) -> WatermarkRead:
    """Read one picture: unedited lattices first (both grids), then inside a screenshot's margins, then search.

    Raises:
        ProvenanceError: the image is not 8-bit RGB(A) of at least 64x64 pixels.
    """
    planes = [whitened(rgb, grid) for grid in GRIDS]
    for plane in planes:
        read = quick_read(plane, expected)
        if read is not None:
            return read
    # Stills are marked on the fine grid (the coarse one is for small video frames): only it is searched.
    inner, window = trim_borders(rgb)
    if window is not None:
        inner_planes = [whitened(inner, grid) for grid in GRIDS]
        read = next(filter(None, (quick_read(plane, expected) for plane in inner_planes)), None)
        read = read or search_plane(inner_planes[0], expected, inner.shape[1] / inner.shape[0])
        if read.found:
            return dataclasses.replace(read, registration=dataclasses.replace(read.registration, window=window))
    return search_plane(planes[0], expected, rgb.shape[1] / rgb.shape[0])


def read_unedited(rgb: np.ndarray) -> WatermarkRead:
    """The payload of a picture as it was marked (both grids, no search): what marking checks it wrote."""
    check_image(rgb)
    reads = (quick_read(whitened(rgb, grid)) for grid in GRIDS)
    return next(filter(None, reads), WatermarkRead(None, 0.0))


def whitened(rgb: np.ndarray, grid: int = READ_GRID) -> np.ndarray:
    """The picture on the reader's grid with its own content flattened (see ``watermark.whiten``).

    Average these over the frames of a clip before ``read_plane`` to vote.

    Raises:
        ProvenanceError: the image is not 8-bit RGB(A) of at least 64x64 pixels.
    """
    check_image(rgb)
    return whiten(reader_plane(rgb, grid))


def read_plane(plane: np.ndarray, expected: int | None = None, aspect: float = 16 / 9) -> WatermarkRead:
    """Register and decode a whitened plane (see ``whitened``) of a picture ``aspect`` times wider than high.

    An unedited frame's lattice is tried first (a re-encode or a resize reads in ~20 ms); only when that
    finds no valid codeword does the search over crops, borders and rotations run.
    """
    return quick_read(plane, expected) or search_plane(plane, expected, aspect)


def trim_borders(rgb: np.ndarray, limit: float = 0.3) -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
    """``rgb`` without uniform rows and columns along its edges (a screenshot's margins), and the window kept.

    A row or column is uniform when 97 % of it lies within 3 code values of its median (JPEG ringing and
    a title bar's end do not count against it); at most ``limit`` of each side
    is cut, and the picture left must stay at least 64x64. The window is (top, left, height, width), or
    None when nothing was cut.
    """
    y = luma(rgb[::2, ::2])
    top = bottom = left = right = 0
    for _ in range(2):  # a title bar spans the margins: cut rows, then columns within the rows left, again
        inner = y[top:len(y) - bottom, left:y.shape[1] - right]
        rows = _uniform(inner, axis=1)
        top, bottom = top + _uniform_run(rows, limit), bottom + _uniform_run(rows[::-1], limit)
        inner = y[top:len(y) - bottom, left:y.shape[1] - right]
        cols = _uniform(inner, axis=0)
        left, right = left + _uniform_run(cols, limit), right + _uniform_run(cols[::-1], limit)
    h, w = rgb.shape[:2]
    if not (top or bottom or left or right) or min(h - 2 * (top + bottom), w - 2 * (left + right)) < 64:
        return rgb, None
    top, bottom, left, right = _snap(luma(rgb), 2 * top, 2 * bottom, 2 * left, 2 * right)
    window = (top, left, h - top - bottom, w - left - right)
    return np.ascontiguousarray(rgb[top:h - bottom, left:w - right]), window


def _snap(plane: np.ndarray, top: int, bottom: int, left: int, right: int) -> tuple[int, int, int, int]:
    """Move each cut to the picture's edge: JPEG ringing leaves up to a block of near-uniform rows uncut."""
    h, w = plane.shape

    def edge(profile: np.ndarray, cut: int) -> int:
        # The strongest step in the mean luma from 3 rows outside the cut to 10 rows inside it.
        if not cut:
            return 0
        lo = max(cut - 3, 0)
        window = profile[lo:cut + 10]
        return lo + int(np.argmax(np.abs(np.diff(window)))) + 1 if len(window) >= 3 else cut

    rows = plane[:, left:w - right].mean(axis=1)
    cols = plane[top:h - bottom].mean(axis=0)
    return edge(rows, top), edge(rows[::-1], bottom), edge(cols, left), edge(cols[::-1], right)


def _uniform(plane: np.ndarray, axis: int) -> np.ndarray:
    median = np.median(plane, axis=axis, keepdims=True)
    return (np.abs(plane - median) <= 3.0).mean(axis=axis) >= 0.97


def _uniform_run(flags: np.ndarray, limit: float) -> int:
    """How many leading entries of ``flags`` are True, up to ``limit`` of them all."""
    cap = int(len(flags) * limit)
    return int(np.argmin(np.append(flags[:cap], False)))


def quick_read(plane: np.ndarray, expected: int | None = None) -> WatermarkRead | None:
    """The payload read on an unedited frame's lattice (re-encoded or resized pictures), or None."""
    return _first_valid(_candidates(plane, [UNEDITED])[:1], expected)


def search_plane(plane: np.ndarray, expected: int | None = None, aspect: float = 16 / 9) -> WatermarkRead:
    """Search a whitened plane for the lattice of an edited picture (crop, border, rotation), then decode."""
    lattices = [UNEDITED, *_lattices(plane, aspect)]
    found = _candidates(plane, lattices)
    read = _first_valid(found[:1], expected)
    if read is not None:
        return read
    # The best few are refined on the fold itself: the comb finds the lattice, the fold pins it down.
    found = sorted((_polish(plane, registration) for _, _, registration in found[:REFINED]), key=lambda r: -r[0])
    read = _first_valid(found, expected)
    if read is not None:
        return read
    confidence, scores, _ = found[0]
    return WatermarkRead(None, confidence, None if expected is None else _accuracy(scores, expected))


def _candidates(plane: np.ndarray, lattices) -> list[tuple[float, np.ndarray, Registration]]:
    found = []
    for a, b in lattices:
        for variant, shift, scores, confidence in _correlate(_fold(plane, a, b)):
            found.append((confidence, scores, Registration(a, b, shift, variant, grid=plane.shape[0])))
    return sorted(found, key=lambda item: -item[0])


def _first_valid(found, expected: int | None) -> WatermarkRead | None:
    """The first candidate whose bits meet the CRC; only the best may have weak bits flipped (see _decode)."""
    for rank, (confidence, scores, registration) in enumerate(found):
        value = _decode(scores, confidence, chase_allowed=rank == 0)
        if value is not None:
            accuracy = None if expected is None else _accuracy(scores, expected)
            return WatermarkRead(value, confidence, accuracy, registration)
    return None


def _accuracy(scores: np.ndarray, expected: int) -> float:
    return float(((scores < 0).astype(np.uint8) == codeword(expected)).mean())


def _decode(scores: np.ndarray, confidence: float, chase_allowed: bool) -> int | None:
    """The payload, if the CRC holds.

    Each extra trial is a 1-in-65,536 chance of a false payload, so trials are few: the hard bits of every
    candidate, and for the best one the flips of one of its four weakest bits (two of six from
    ``CHASE_CONFIDENCE`` on): about 1 in 8,000 unmarked pictures could read a payload, which then also
    has to name one of the studio's assets (48 bits) before anything is traced.
    """
    if confidence < MIN_CONFIDENCE:
        return None
    if not chase_allowed:
        return check_crc((scores < 0).astype(np.uint8))
    return chase(scores, *((6, 2) if confidence >= CHASE_CONFIDENCE else (4, 1)))


def _polish(plane: np.ndarray, registration: Registration) -> tuple[float, np.ndarray, Registration]:
    """Nudge the period vectors while the fold's confidence rises (coordinate ascent, halving steps)."""
    params = np.array([*registration.a, *registration.b], np.float64)
    best = _score_at(plane, params, registration.variant)
    for step in (0.3, 0.1):
        for index in range(4):
            for sign in (-1.0, 1.0):
                trial = params.copy()
                trial[index] += sign * step
                scored = _score_at(plane, trial, registration.variant)
                if scored[0] > best[0]:
                    params, best = trial, scored
    confidence, scores, shift = best
    a, b = (float(params[0]), float(params[1])), (float(params[2]), float(params[3]))
    return confidence, scores, Registration(a, b, shift, registration.variant, grid=registration.grid)


def _score_at(plane: np.ndarray, params: np.ndarray, variant: int) -> tuple[float, np.ndarray, tuple[int, int]]:
    folded = _fold(plane, (params[0], params[1]), (params[2], params[3]))
    view = _variants(folded)[variant]
    corr = np.fft.irfft2(np.fft.rfft2(view)[None] * _templates(), s=(SAMPLES, SAMPLES))
    z = _zscores(corr)
    score = np.abs(z).mean(axis=0)
    r, c = np.unravel_index(int(np.argmax(score)), score.shape)
    return float(score[r, c]), z[:, r, c], (int(r), int(c))


def _zscores(corr: np.ndarray) -> np.ndarray:
    """Each bit's correlation over its spread across all offsets (the last two axes)."""
    spread = corr.std(axis=(-2, -1), keepdims=True)
    return np.where(spread > 1e-4, corr / np.maximum(spread, 1e-4), 0.0)  # a blank picture says nothing


def original_to_read(registration: Registration, tiles: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The 2x3 affine map from the marked original's reader grid to the read picture's grid.

    The tile repeats, so the map is known up to whole tiles: ``tiles`` picks one of those.
    """
    a, b = np.array(registration.a), np.array(registration.b)
    sy, sx = registration.shift
    last = SAMPLES - 1

    def through(x: float, y: float) -> tuple[float, float]:
        r, c = y + sy, x + sx  # template (row, col) -> folded variant (row, col)
        j, i = _undo_variant(registration.variant, r, c, last)
        point = (i / SAMPLES) * a + (j / SAMPLES) * b
        return float(point[0]), float(point[1])

    tx, ty = tiles[0] * SAMPLES, tiles[1] * SAMPLES
    src = np.float32([[tx, ty], [tx + SAMPLES, ty], [tx, ty + SAMPLES]])
    dst = np.float32([through(0, 0), through(SAMPLES, 0), through(0, SAMPLES)])
    return cv2.getAffineTransform(src, dst)


def _undo_variant(variant: int, r: float, c: float, last: int) -> tuple[float, float]:
    """(row, col) of the folded tile for (row, col) of its ``variant`` (see ``_variants``)."""
    if variant >= 4:  # a transposed view: its (row, col) is the plain view's (col, row)
        r, c = c, r
        variant -= 4
    if variant & 1:
        c = last - c
    if variant & 2:
        r = last - r
    return r, c


def _variants(folded: np.ndarray) -> np.ndarray:
    views = [folded, folded[:, ::-1], folded[::-1, :], folded[::-1, ::-1]]
    return np.stack(views + [v.T for v in views])


def chase(scores: np.ndarray, weakest: int = 6, most: int = 2) -> int | None:
    """The CRC-valid payload nearest the hard bits, flipping at most ``most`` of the ``weakest`` least reliable."""
    bits = (scores < 0).astype(np.uint8)
    candidates = np.argsort(np.abs(scores))[:weakest]
    for flips in itertools.chain.from_iterable(itertools.combinations(candidates, k) for k in range(most + 1)):
        trial = bits.copy()
        trial[list(flips)] ^= 1
        value = check_crc(trial)
        if value is not None:
            return value
    return None


def _lattices(plane: np.ndarray, aspect: float) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Candidate tile period vectors other than the unedited frame's: the comb search's best (see ``_comb``)."""
    power = _flat_power(plane)
    out = []
    for sx, sy, theta in _comb_search(power, aspect):
        a, b = _vectors(sx, sy, theta, aspect)
        if not np.allclose((a, b), UNEDITED, atol=0.5):
            out.append((a, b))
    return out


def _vectors(sx: float, sy: float, theta: float, aspect: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Period vectors on the reader's grid of a frame rotated by ``theta`` whose tiles were scaled by sx, sy.

    The reader's grid squeezes the picture to a square, so a rotation by ``theta`` in pixels becomes a
    rotation and a shear there; ``aspect`` is the read picture's width over height.
    """
    c, s = np.cos(theta), np.sin(theta)
    a = (SAMPLES * sx * c, SAMPLES * sx * s * aspect)
    b = (-SAMPLES * sy * s / aspect, SAMPLES * sy * c)
    return (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))


def _flat_power(plane: np.ndarray) -> np.ndarray:
    """The plane's power spectrum (zero-padded 2x, centred) over its local mean, so peaks stand out as ~1+."""
    size = 2 * plane.shape[0]
    power = np.fft.fftshift(np.abs(np.fft.fft2(plane, s=(size, size))) ** 2).astype(np.float32)
    flat = power / (cv2.GaussianBlur(power, (0, 0), 6.0) + 1e-6)
    # Clip: a JPEG block grid or a resampling ripple is a few huge spikes; the mark is many small ones.
    return np.minimum(flat, 3.0)


@functools.cache
def _comb(reach: int) -> tuple[np.ndarray, np.ndarray]:
    """Harmonics (k, m) of the tile lattice that carry the chips' energy: half the plane, 2 <= |(k, m)| <= reach."""
    k, m = np.meshgrid(np.arange(-reach, reach + 1), np.arange(0, reach + 1))
    keep = (k * k + m * m >= 4) & (k * k + m * m <= reach * reach) & ((m > 0) | (k > 0))
    return k[keep].astype(np.float32), m[keep].astype(np.float32)


def _comb_score(power: np.ndarray, sx: np.ndarray, sy: np.ndarray, theta: np.ndarray, aspect: float,
                reach: int) -> np.ndarray:
    """Mean flattened power at the lattice harmonics of each candidate (sx, sy, theta): the mark's comb."""
    k, m = _comb(reach)
    c, s = np.cos(theta).astype(np.float32)[:, None], np.sin(theta).astype(np.float32)[:, None]
    sx, sy, aspect = sx.astype(np.float32), sy.astype(np.float32), np.float32(aspect)
    # Reciprocal vectors of the period vectors (see _vectors): the harmonics sit at k*fa + m*fb.
    fx = (k * c / sx[:, None] - m * aspect * s / sy[:, None]) / SAMPLES
    fy = (k * s / (aspect * sx[:, None]) + m * c / sy[:, None]) / SAMPLES
    size = power.shape[0]
    ix = np.clip(np.rint(size / 2 + fx * size), 0, size - 1).astype(np.int32)
    iy = np.clip(np.rint(size / 2 + fy * size), 0, size - 1).astype(np.int32)
    return power.ravel()[iy * size + ix].mean(axis=1)


def _comb_search(power: np.ndarray, aspect: float, keep: int = 8) -> list[tuple[float, float, float]]:
    """Tile scales and tilt whose harmonics hold the most power: a coarse grid, then a local refinement."""
    scales = np.exp(np.arange(np.log(SCALES[0]), np.log(SCALES[1]), 0.015)).astype(np.float32)
    angles = np.radians(np.arange(-MAX_DEGREES, MAX_DEGREES + 0.01, 0.75)).astype(np.float32)
    sx, sy, th = (g.ravel() for g in np.meshgrid(scales, scales, angles, indexing="ij"))
    # On the coarse grid a harmonic may sit a bin off: take each bin's neighbourhood maximum.
    score = _comb_score(cv2.dilate(power, np.ones((3, 3), np.uint8)), sx, sy, th, aspect, COMB_REACH)
    found: list[tuple[float, float, float]] = []
    for best in np.argsort(-score):
        candidate = _refine(power, float(sx[best]), float(sy[best]), float(th[best]), aspect)
        if all(abs(candidate[0] - f[0]) > 0.006 or abs(candidate[1] - f[1]) > 0.006 or abs(candidate[2] - f[2]) > 0.004
               for f in found):
            found.append(candidate)
        if len(found) == keep:
            break
    return found


def _refine(power: np.ndarray, sx: float, sy: float, theta: float, aspect: float) -> tuple[float, float, float]:
    """Hill-climb one candidate on the full comb, halving the step each round."""
    step_s, step_t = 0.006, np.radians(0.25)
    for _ in range(4):
        offs = np.array([-1.0, 0.0, 1.0])
        gx, gy, gt = (g.ravel() for g in np.meshgrid(sx * np.exp(offs * step_s), sy * np.exp(offs * step_s),
                                                      theta + offs * step_t, indexing="ij"))
        top = int(np.argmax(_comb_score(power, gx, gy, gt, aspect, COMB_REACH)))
        sx, sy, theta = float(gx[top]), float(gy[top]), float(gt[top])
        step_s, step_t = step_s / 2, step_t / 2
    return sx, sy, theta


def _fold(plane: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    """Average every tile in view onto one SAMPLES x SAMPLES tile, along period vectors ``a`` and ``b``."""
    basis = np.array([a, b], np.float64).T  # columns: a, b (x, y)
    grid = plane.shape[0]
    corners = np.array([[0, 0], [grid, 0], [0, grid], [grid, grid]], np.float64).T
    spans = np.linalg.solve(basis, corners)
    lo, hi = np.floor(spans.min(axis=1)).astype(int), np.ceil(spans.max(axis=1)).astype(int)
    nu, nv = hi - lo
    # Output sample (u, v) reads the plane at lo + (u, v) / SAMPLES in tile units: one affine warp.
    matrix = np.hstack([basis / SAMPLES, (basis @ lo)[:, None]]).astype(np.float64)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    size = (int(nu) * SAMPLES, int(nv) * SAMPLES)
    values = cv2.warpAffine(plane, matrix, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    inside = cv2.warpAffine(_ones(grid), matrix, size, flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    total = values.reshape(nv, SAMPLES, nu, SAMPLES).sum(axis=(0, 2))
    count = inside.reshape(nv, SAMPLES, nu, SAMPLES).sum(axis=(0, 2))
    return (total / np.maximum(count, 1)).astype(np.float32)


@functools.cache
def _ones(grid: int) -> np.ndarray:
    return np.ones((grid, grid), np.float32)


def _correlate(folded: np.ndarray):
    """For each of the 8 variants: (variant, best (row, col) shift, 64 bit z-scores, mean |z|)."""
    spectra = np.fft.rfft2(_variants(folded))[:, None] * _templates()[None]
    corr = np.fft.irfft2(spectra, s=(SAMPLES, SAMPLES))  # variant, bit, row shift, col shift
    z = _zscores(corr)
    score = np.abs(z).mean(axis=1)  # variant, row, col
    out = []
    for variant in range(_VARIANTS):
        r, c = np.unravel_index(int(np.argmax(score[variant])), score[variant].shape)
        out.append((variant, (int(r), int(c)), z[variant, :, r, c], float(score[variant, r, c])))
    return out


@functools.cache
def _templates() -> np.ndarray:
    """conj(FFT) of each bit's chips as the reader samples them."""
    return np.conj(np.fft.rfft2(bit_templates()))
