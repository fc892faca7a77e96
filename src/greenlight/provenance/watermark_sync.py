"""Reading the watermark: find the tile lattice, fold the picture onto one tile, find its offset and flip.

The picture is resized to a 256x256 grid (an unedited frame then holds the 4x4 tiles at a 64-sample
period) and whitened (band-pass luma over local contrast, so texture and brightness do not weigh). A crop,
a border or a rotation changes the period and tilt of the repeating chips, which the autocorrelation shows
as peaks; folding along those vectors sums every tile in view into one 64x64 tile, and a correlation with
each bit's keyed chips at every cyclic offset, for the 8 flips and quarter turns, finds the registration
and the bits. The tile's period on an unedited frame is always tried too, so a weak mark in an unedited
picture is read as before. Confidence is the mean |z-score| of the 64 bit correlations; the CRC decides.
"""

from __future__ import annotations

import functools
import itertools

import cv2
import numpy as np

from greenlight.provenance.watermark import (
    CODE_BITS,
    TILE,
    TILES,
    Registration,
    WatermarkRead,
    check_crc,
    check_image,
    codeword,
    layout,
    luma,
)

GRID = 256  # the reader's grid: 2 samples a chip on an unedited frame
SAMPLES = GRID // TILES  # samples a tile side once folded (64)
PERIODS = (38.0, 110.0)  # tile periods searched, in grid samples: a border shrinks it, a crop grows it
MAX_TILT = 0.10  # |off-axis / on-axis| of a period vector: rotations up to ~5 degrees on a square frame
MIN_CONFIDENCE = 1.9  # unmarked pictures score 0.85-1.3 (see bench/provenance.py); marks score 3-12
_VARIANTS = 8  # the tile as read, flipped either way, turned a half, and the same transposed


def whitened(rgb: np.ndarray) -> np.ndarray:
    """The picture on the reader's grid with its own content flattened: band-pass luma over local contrast.

    Average these over the frames of a clip before ``read_plane`` to vote.

    Raises:
        ProvenanceError: the image is not 8-bit RGB(A) of at least 64x64 pixels.
    """
    check_image(rgb)
    h, w = rgb.shape[:2]
    interpolation = cv2.INTER_AREA if min(h, w) >= GRID else cv2.INTER_LINEAR
    plane = luma(cv2.resize(np.ascontiguousarray(rgb[..., :3]), (GRID, GRID), interpolation=interpolation))
    band = plane - cv2.GaussianBlur(plane, (0, 0), 1.5)
    contrast = np.sqrt(cv2.GaussianBlur(band * band, (0, 0), 5.0))
    return np.clip(band / (contrast + 0.25), -3, 3).astype(np.float32)


def read_plane(plane: np.ndarray, expected: int | None = None) -> WatermarkRead:
    """Register and decode a whitened plane (see ``whitened``)."""
    found = []
    for a, b in _lattices(plane):
        folded = _fold(plane, a, b)
        for variant, shift, scores, confidence in _correlate(folded):
            found.append((confidence, scores, Registration(a, b, shift, variant)))
    found.sort(key=lambda item: -item[0])
    confidence, scores, registration = found[0]
    bits = (scores < 0).astype(np.uint8)
    accuracy = None if expected is None else float((bits == codeword(expected)).mean())
    if confidence >= MIN_CONFIDENCE:
        for confidence_k, scores_k, registration_k in found[:2]:
            value = _chase(scores_k)
            if value is not None:
                bits = (scores_k < 0).astype(np.uint8)
                accuracy = None if expected is None else float((bits == codeword(expected)).mean())
                return WatermarkRead(value, confidence_k, accuracy, registration_k)
    return WatermarkRead(None, confidence, accuracy)


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


def _chase(scores: np.ndarray) -> int | None:
    """The CRC-valid payload nearest the hard bits, flipping at most two of the six least reliable."""
    bits = (scores < 0).astype(np.uint8)
    weakest = np.argsort(np.abs(scores))[:6]
    for flips in itertools.chain.from_iterable(itertools.combinations(weakest, k) for k in range(3)):
        trial = bits.copy()
        trial[list(flips)] ^= 1
        value = check_crc(trial)
        if value is not None:
            return value
    return None


def _lattices(plane: np.ndarray) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Candidate tile period vectors: the unedited frame's, and the autocorrelation's strongest peaks."""
    unedited = ((float(SAMPLES), 0.0), (0.0, float(SAMPLES)))
    auto = _autocorrelation(plane)
    a = _peak(auto, along_x=True)
    b = _peak(auto, along_x=False)
    if a is None or b is None:
        return [unedited]
    found = ((a[0], a[1]), (b[0], b[1]))
    return [unedited] if np.allclose(found, unedited, atol=0.75) else [unedited, found]


def _autocorrelation(plane: np.ndarray) -> np.ndarray:
    size = 2 * GRID
    spectrum = np.fft.rfft2(plane, s=(size, size))
    auto = np.fft.irfft2(np.abs(spectrum) ** 2, s=(size, size))
    lags = np.abs(np.fft.fftfreq(size, 1 / size))
    overlap = np.maximum(GRID - lags[:, None], 8) * np.maximum(GRID - lags[None, :], 8)
    auto = np.fft.fftshift(auto / overlap)  # lag (0, 0) at (GRID, GRID)
    return (auto - cv2.GaussianBlur(auto.astype(np.float32), (0, 0), 3.0)).astype(np.float32)


def _peak(auto: np.ndarray, along_x: bool) -> np.ndarray | None:
    """The period vector along one axis: the strongest peak in its cone, refined on its 2nd and 3rd multiple."""
    on = np.arange(int(PERIODS[0]), int(PERIODS[1]) + 1)
    best, where = -np.inf, None
    for d in on:
        reach = int(MAX_TILT * d) + 2
        offs = np.arange(-reach, reach + 1)
        rows, cols = (GRID + offs, np.full_like(offs, GRID + d)) if along_x else (np.full_like(offs, GRID + d),
                                                                                   GRID + offs)
        values = auto[rows, cols]
        k = int(np.argmax(values))
        if values[k] > best:
            best, where = values[k], (int(rows[k]), int(cols[k]))
    if where is None or best <= 0:
        return None
    vector = _subpixel(auto, *where) - GRID
    # Multiples of the period sit further out and pin it down more precisely.
    estimates, weights = [vector], [1.0]
    for k in (2, 3):
        guess = vector * k + GRID
        if np.all(guess < 2 * GRID - 2):
            r, c = _local_max(auto, int(round(guess[0])), int(round(guess[1])))
            if auto[r, c] > 0:
                estimates.append((_subpixel(auto, r, c) - GRID) / k)
                weights.append(float(k * k))
    row, col = np.average(np.array(estimates), axis=0, weights=weights)
    return np.array([col, row])  # as (x, y)


def _local_max(auto: np.ndarray, r: int, c: int, reach: int = 2) -> tuple[int, int]:
    window = auto[r - reach:r + reach + 1, c - reach:c + reach + 1]
    dr, dc = np.unravel_index(int(np.argmax(window)), window.shape)
    return r - reach + int(dr), c - reach + int(dc)


def _subpixel(auto: np.ndarray, r: int, c: int) -> np.ndarray:
    def offset(m1: float, m0: float, p1: float) -> float:
        denom = m1 - 2 * m0 + p1
        return 0.0 if denom >= 0 else float(np.clip(0.5 * (m1 - p1) / denom, -0.5, 0.5))

    return np.array([r + offset(auto[r - 1, c], auto[r, c], auto[r + 1, c]),
                     c + offset(auto[r, c - 1], auto[r, c], auto[r, c + 1])])


def _fold(plane: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    """Average every tile in view onto one SAMPLES x SAMPLES tile, along period vectors ``a`` and ``b``."""
    basis = np.array([a, b], np.float64).T  # columns: a, b (x, y)
    corners = np.array([[0, 0], [GRID, 0], [0, GRID], [GRID, GRID]], np.float64).T
    spans = np.linalg.solve(basis, corners)
    lo, hi = np.floor(spans.min(axis=1)).astype(int), np.ceil(spans.max(axis=1)).astype(int)
    u = np.arange(lo[0] * SAMPLES, hi[0] * SAMPLES, dtype=np.float32) / SAMPLES
    v = np.arange(lo[1] * SAMPLES, hi[1] * SAMPLES, dtype=np.float32) / SAMPLES
    uu, vv = np.meshgrid(u, v)
    map_x = (uu * basis[0, 0] + vv * basis[0, 1]).astype(np.float32)
    map_y = (uu * basis[1, 0] + vv * basis[1, 1]).astype(np.float32)
    values = cv2.remap(plane, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    inside = (map_x >= 0) & (map_x <= GRID - 1) & (map_y >= 0) & (map_y <= GRID - 1)
    nv, nu = (hi - lo)[1], (hi - lo)[0]
    total = np.where(inside, values, 0).reshape(nv, SAMPLES, nu, SAMPLES).sum(axis=(0, 2))
    count = inside.reshape(nv, SAMPLES, nu, SAMPLES).sum(axis=(0, 2))
    return (total / np.maximum(count, 1)).astype(np.float32)


def _correlate(folded: np.ndarray):
    """For each of the 8 variants: (variant, best (row, col) shift, 64 bit z-scores, mean |z|)."""
    spectra = np.fft.rfft2(_variants(folded))[:, None] * _templates()[None]
    corr = np.fft.irfft2(spectra, s=(SAMPLES, SAMPLES))  # variant, bit, row shift, col shift
    z = corr / (corr.std(axis=(2, 3), keepdims=True) + 1e-9)
    score = np.abs(z).mean(axis=1)  # variant, row, col
    out = []
    for variant in range(_VARIANTS):
        r, c = np.unravel_index(int(np.argmax(score[variant])), score[variant].shape)
        out.append((variant, (int(r), int(c)), z[variant, :, r, c], float(score[variant, r, c])))
    return out


@functools.cache
def _templates() -> np.ndarray:
    """conj(FFT) of each bit's chips as the reader samples them (2 samples a chip, bilinear, cyclic)."""
    lay = layout()
    out = np.empty((CODE_BITS, SAMPLES, SAMPLES // 2 + 1), np.complex128)
    for bit in range(CODE_BITS):
        chips = np.where(lay.bit_of == bit, lay.pn, 0).astype(np.float32)
        big = cv2.resize(np.tile(chips, (3, 3)), (6 * TILE, 6 * TILE), interpolation=cv2.INTER_LINEAR)
        out[bit] = np.conj(np.fft.rfft2(big[SAMPLES:2 * SAMPLES, SAMPLES:2 * SAMPLES]))
    return out
