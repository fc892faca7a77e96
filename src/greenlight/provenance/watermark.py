"""Invisible watermark: a 48-bit asset payload in the luma of a picture, that survives recompression, rescale,
crops, small rotations, flips, added borders and brightness changes.

Design (measured in ``bench/provenance.py``; the reader is in ``watermark_sync``):

* The 64-bit codeword (48-bit payload + CRC-16) is spread over a 16x16 tile of keyed +-1 chips (4 chips a
  bit), and the tile is repeated 8x8 over the whole frame whatever its size or aspect (128 chips a side),
  so a rescale keeps the pattern on the frame and a crop only shifts it.
* Because the pattern repeats, its spectrum is a lattice of peaks; the reader finds the lattice's scale and
  tilt (a crop, a border or a rotation moves the peaks; nothing else needs storing), folds the picture
  onto one tile, and finds the tile's offset, flip and quarter turn by correlating with the keyed chips.
  The CRC says whether what it read is a mark or noise.
* The chips are added to luma (equally to R, G and B) with a strength that follows the picture (perceptual
  masking): up to ``STRENGTH_MAX`` code values where texture hides them, ``STRENGTH_MIN`` in flat areas,
  where a colourist lifting the shadows would otherwise see the pattern; there the change is rounded with
  dither, so it reads as grain rather than plateaus. Per-bit gains cancel what the picture itself says
  about each bit (informed embedding).
* Brightness and contrast changes scale the picture and the mark together; the reader normalises local
  contrast, so they do not matter.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from greenlight.errors import ProvenanceError

PAYLOAD_BITS = 48
CODE_BITS = 64
TILE = 16  # chips a tile side: 256 chips, 4 a bit
TILES = 8  # tiles across the frame each way: 128 chips a side, so a chip is ~15 px of a 1080p frame
STRENGTH_GAIN = 0.65  # chip amplitude per unit of local contrast (code values of band-pass luma)
STRENGTH_MIN, STRENGTH_MAX = 0.4, 5.0  # code values: flat areas / the busiest texture
MAX_RMS = 3.2  # code values: the change over the whole picture stays under this (PSNR >= ~38 dB)
DITHER_BELOW = 1.2  # code values of chip amplitude under which rounding is dithered (see _dither)
READ_STRENGTHS = (1.0, 1.5, 2.0)  # tried in turn until the mark reads back (small pictures)
GAIN_RANGE = (0.5, 2.0)  # per-bit gains of informed embedding
READ_GRID = 256  # the reader's grid: 2 samples a chip on an unedited frame
SAMPLES = READ_GRID // TILES  # samples a tile side on the reader's grid (32)
# Video frames under 480 lines get chips twice as big (4x4 tiles, read on a 128 grid): x264 in predicted
# frames smooths away chips of a few pixels.
COARSE_GRID = 128
GRIDS = (READ_GRID, COARSE_GRID)
_KEY = b"greenlight-watermark-v2"
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


@dataclass(frozen=True)
class Registration:
    """Where the mark's tile lies in the picture that was read, in the reader's 256x256 grid.

    ``a`` and ``b`` are the tile's two period vectors (32, 0) and (0, 32) in an unedited picture; ``shift``
    the tile offset in samples; ``variant`` which of the 8 flips and quarter turns of the tile matched.
    """

    a: tuple[float, float]
    b: tuple[float, float]
    shift: tuple[int, int]
    variant: int
    window: tuple[int, int, int, int] | None = None  # (top, left, height, width) read, when margins were cut
    grid: int = READ_GRID  # the reader's grid the vectors are in (COARSE_GRID for a coarse mark)


@dataclass(frozen=True)
class WatermarkRead:
    """What the decoder found.

    ``payload`` is the 48-bit value, or None when no valid codeword was found. ``confidence`` is the mean
    |z-score| of the 64 bit correlations at the best registration (0.9-1.7 for unmarked pictures, 1.2-2.5
    for marks; the CRC decides, see ``watermark_sync``). ``bit_accuracy`` compares the raw bits
    with the codeword of an ``expected`` payload. ``registration`` says how the picture was edited (None
    when nothing was found).
    """

    payload: int | None
    confidence: float
    bit_accuracy: float | None = None
    registration: Registration | None = None

    @property
    def found(self) -> bool:
        return self.payload is not None


def asset_payload(asset_key: str) -> int:
    """The 48-bit payload naming an asset: the first 48 bits of SHA-256 of ``asset_key``.

    Use the asset's id, not its content hash: marking and signing change the bytes, the id stays.
    """
    return int.from_bytes(hashlib.sha256(asset_key.encode()).digest()[:6], "big")


def embed(rgb: np.ndarray, payload: int, grid: int = READ_GRID, strength: float = 1.0) -> np.ndarray:
    """Return a copy of ``rgb`` (HxWx3 or HxWx4 uint8) carrying ``payload``.

    ``grid`` is ``READ_GRID`` (8x8 tiles) or ``COARSE_GRID`` (4x4 tiles of chips twice as big, for small
    video frames; see ``grid_for_video``). The reader tries both. ``strength`` scales the chips and the
    change's budget (see ``embed_read_back``).

    Raises:
        ProvenanceError: the payload does not fit in 48 bits, or the image is not 8-bit RGB(A) of at
            least 64x64 pixels.
    """
    check_image(rgb)
    if not 0 <= payload < 1 << PAYLOAD_BITS:
        raise ProvenanceError(f"watermark payload {payload} does not fit in {PAYLOAD_BITS} bits")
    h, w = rgb.shape[:2]
    if grid not in GRIDS:
        raise ProvenanceError(f"watermark grid {grid} is not one of {GRIDS}")
    host = reader_plane(rgb, grid)
    # A stronger mark is stronger where texture hides it; flat areas keep the faint one (a lifted shadow shows it).
    amplitude = STRENGTH_MIN + (strength_grid(host) - STRENGTH_MIN) * strength
    gains = _bit_gains(host, payload, amplitude)
    chips = np.tile(tile_chips(payload, gains), (grid // SAMPLES, grid // SAMPLES))
    pattern = cv2.resize(chips, (w, h), interpolation=cv2.INTER_LINEAR if w >= chips.shape[1] else cv2.INTER_AREA)
    amplitude = cv2.resize(amplitude, (w, h), interpolation=cv2.INTER_LINEAR)
    flat = np.clip((DITHER_BELOW - amplitude) / (DITHER_BELOW - STRENGTH_MIN), 0, 1)
    # In flat areas no bit gets more than the plain amplitude (informed gains go to the textured parts).
    pattern += flat * (np.clip(pattern, -1, 1) - pattern)
    change = pattern * amplitude
    rms = float(np.sqrt(np.mean(change * change)))
    if rms > MAX_RMS * strength:  # a busy picture everywhere: keep the whole change within the invisibility budget
        change *= MAX_RMS * strength / rms
    change += _dither(flat)
    out = rgb.copy()
    # A luma change added equally to R, G and B; cv2.add rounds and saturates in one pass.
    out[..., :3] = cv2.add(np.ascontiguousarray(rgb[..., :3]), cv2.merge([change, change, change]),
                           dtype=cv2.CV_8U)
    return out


def embed_read_back(rgb: np.ndarray, payload: int, encode=None) -> np.ndarray:
    """``embed`` at ``READ_STRENGTHS`` on each grid in turn until the marked picture (after ``encode``, if given)
    reads back; the last, strongest try when none does.

    A picture under ~130 lines has chips of a pixel or less, and its own content (or JPEG's rounding) can
    outvote the mark; it gets a stronger or a coarser mark rather than a faint one. A flat picture (a matte,
    a grey card) or one under ~90 lines may hold no readable mark even so: it is still written, marked as
    strongly as marking goes, and `verify` then says it carries none.
    """
    from greenlight.provenance.watermark_sync import read_unedited

    for grid, strength in itertools.product(GRIDS, READ_STRENGTHS):
        marked = embed(rgb, payload, grid, strength)
        if read_unedited(marked if encode is None else encode(marked)).payload == payload:
            break
    return marked


def _dither(flat: np.ndarray) -> np.ndarray:
    """Noise to round with where ``flat`` (1 in flat areas, 0 where texture is busy), so the mark there is grain.

    A change under one code value rounds to plateaus of +-1 whose edges trace the chips: invisible at
    first, a pattern once a colourist lifts the shadows. Rounding with uniform noise instead keeps the
    mark on average and turns the plateaus into speckle like the camera's own noise.
    """
    h, w = flat.shape
    noise = _noise_tile()
    reps = (-(-h // noise.shape[0]), -(-w // noise.shape[1]))
    return np.tile(noise, reps)[:h, :w] * flat


@functools.cache
def _noise_tile() -> np.ndarray:
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(_KEY + b"dither").digest()[:8], "big"))
    return (rng.random((509, 511), np.float32) - 0.5).astype(np.float32)  # odd sizes: no repeat on the chip grid


def _bit_gains(host: np.ndarray, payload: int, amplitude: np.ndarray) -> np.ndarray:
    """Per-bit chip gains that cancel what the picture itself says about each bit (informed embedding).

    The reader correlates each bit's chips with the whitened picture; the picture's own content adds a
    term of either sign. Measuring that term here and giving the bits it works against more strength
    (and the others less) makes every bit read about equally well, for little more energy.
    """
    signs = 1.0 - 2.0 * codeword(payload)
    own = signs * bit_projections(whiten(host))
    gains = np.ones(CODE_BITS)
    for _ in range(2):
        size, tiles = host.shape[0], host.shape[0] // SAMPLES
        full = cv2.resize(np.tile(tile_chips(payload, gains), (tiles, tiles)), (size, size),
                          interpolation=cv2.INTER_LINEAR) * amplitude
        total = signs * bit_projections(whiten(host + full))
        mark = np.maximum((total - own) / gains, 1e-6)
        goal = np.median(mark)
        gains = np.clip((goal - own) / mark, GAIN_RANGE[0], GAIN_RANGE[1])
    return gains


def extract(rgb: np.ndarray, expected: int | None = None) -> WatermarkRead:
    """Read the payload of one picture, whatever crop, border, flip, small rotation or rescale it went through.

    Args:
        rgb: HxWx3 or HxWx4 uint8.
        expected: a payload to measure raw bit accuracy against (for tests and benchmarks).

    Raises:
        ProvenanceError: the image is not 8-bit RGB(A) of at least 64x64 pixels.
    """
    from greenlight.provenance.watermark_sync import read_picture

    return read_picture(rgb, expected)


def strength_grid(small: np.ndarray) -> np.ndarray:
    """Chip amplitude (float32, code values) on the reader's grid: more where texture hides the mark.

    ``small`` is the picture's ``reader_plane``.
    Local contrast is measured in a band around the chips' own scale, so a smooth gradient counts as
    flat and sensor noise finer than a chip does not count as texture.
    """
    band = small - cv2.GaussianBlur(small, (0, 0), 2.0)
    contrast = np.sqrt(cv2.GaussianBlur(band * band, (0, 0), 3.0))
    amplitude = np.clip(STRENGTH_GAIN * contrast, STRENGTH_MIN, STRENGTH_MAX)
    # Erode the strong areas a little so a hard edge next to a flat sky does not spill chips into the sky.
    amplitude = cv2.erode(amplitude, np.ones((3, 3), np.uint8))
    return cv2.GaussianBlur(amplitude, (0, 0), 1.0)


def reader_plane(rgb: np.ndarray, grid: int = READ_GRID) -> np.ndarray:
    """Luma resized to the reader's ``grid`` x ``grid`` (area average; stretched when smaller)."""
    h, w = rgb.shape[:2]
    interpolation = cv2.INTER_AREA if min(h, w) >= grid else cv2.INTER_LINEAR
    return luma(cv2.resize(np.ascontiguousarray(rgb[..., :3]), (grid, grid), interpolation=interpolation))


def grid_for_video(height: int, width: int) -> int:
    """The chip grid for a clip's frames: coarse under 480 lines, where x264 would smooth fine chips away."""
    return COARSE_GRID if min(height, width) < 480 else READ_GRID


def whiten(plane: np.ndarray) -> np.ndarray:
    """Band-pass luma over local contrast: the picture's own content flattened, the chips kept."""
    band = plane - cv2.GaussianBlur(plane, (0, 0), 1.5)
    contrast = np.sqrt(cv2.GaussianBlur(band * band, (0, 0), 5.0))
    return np.clip(band / (contrast + 0.25), -3, 3).astype(np.float32)


def bit_projections(plane: np.ndarray) -> np.ndarray:
    """Each bit's chip correlation with a whitened plane of an unedited frame (tiles folded in place)."""
    tiles = plane.shape[0] // SAMPLES
    folded = plane.reshape(tiles, SAMPLES, tiles, SAMPLES).mean(axis=(0, 2))
    return np.tensordot(bit_templates(), folded, axes=([1, 2], [0, 1]))


@functools.cache
def bit_templates() -> np.ndarray:
    """Each bit's chips as the reader samples a tile (2 samples a chip, bilinear, cyclic): 64x64x64."""
    lay = layout()
    out = np.empty((CODE_BITS, SAMPLES, SAMPLES), np.float32)
    for bit in range(CODE_BITS):
        chips = np.where(lay.bit_of == bit, lay.pn, 0).astype(np.float32)
        big = cv2.resize(np.tile(chips, (3, 3)), (6 * TILE, 6 * TILE), interpolation=cv2.INTER_LINEAR)
        out[bit] = big[SAMPLES:2 * SAMPLES, SAMPLES:2 * SAMPLES]
    return out


def codeword(payload: int) -> np.ndarray:
    """The 64 coded bits for a payload: 48 payload bits then CRC-16/CCITT, most significant first."""
    data = payload.to_bytes(6, "big")
    word = data + binascii.crc_hqx(data, 0xFFFF).to_bytes(2, "big")
    return np.unpackbits(np.frombuffer(word, np.uint8))


def check_crc(bits: np.ndarray) -> int | None:
    """The payload of 64 bits whose CRC-16 matches, else None."""
    word = np.packbits(bits.astype(np.uint8)).tobytes()
    ok = binascii.crc_hqx(word[:6], 0xFFFF) == int.from_bytes(word[6:], "big")
    return int.from_bytes(word[:6], "big") if ok else None


def tile_chips(payload: int, gains: np.ndarray | None = None) -> np.ndarray:
    """The 32x32 tile (float32) carrying ``payload``: keyed +-1 chips, each flipped by its bit (times its gain)."""
    lay = layout()
    chips = lay.pn * (1 - 2 * codeword(payload)[lay.bit_of].astype(np.float32))
    return (chips if gains is None else chips * gains[lay.bit_of]).astype(np.float32)


@dataclass(frozen=True)
class Layout:
    """The keyed tile: a +-1 chip per cell (``pn``) and which codeword bit it carries (``bit_of``)."""

    pn: np.ndarray
    bit_of: np.ndarray


@functools.cache
def layout() -> Layout:
    """The keyed tile layout (the same for every picture: the reader needs no side information)."""
    seed = int.from_bytes(hashlib.sha256(_KEY).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    pn = rng.choice(np.array([-1.0, 1.0], np.float32), (TILE, TILE))
    bit_of = (rng.permutation(TILE * TILE) % CODE_BITS).reshape(TILE, TILE)  # each bit all over the tile
    return Layout(pn, bit_of)


def luma(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma of an RGB array, float32."""
    return rgb[..., :3].astype(np.float32) @ _LUMA


def check_image(rgb: np.ndarray) -> None:
    """Raise ProvenanceError unless ``rgb`` is an HxWx3 or HxWx4 uint8 array of at least 64x64."""
    if not (isinstance(rgb, np.ndarray) and rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] in (3, 4)):
        raise ProvenanceError("the watermark needs an HxWx3 (or x4) uint8 image")
    if min(rgb.shape[:2]) < 64:
        raise ProvenanceError(f"a {rgb.shape[1]}x{rgb.shape[0]} image is too small to carry a watermark",
                              "watermark images of at least 64x64 pixels")
