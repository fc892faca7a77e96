"""Invisible watermark on stills: survives JPEG 75 and a 0.75x downscale, invisible by PSNR, says "none" when absent.

Crops, rotations, flips, borders and brightness: see test_watermark_attacks.py.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image
from skimage import data

from greenlight.errors import ProvenanceError
from greenlight.provenance import asset_payload, embed_watermark, extract_watermark
from greenlight.provenance.watermark import codeword
from greenlight.provenance.watermark_sync import chase

PAYLOAD = asset_payload("asset_7f3a9c")


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255**2 / np.mean((a.astype(np.float64) - b) ** 2)))


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


@pytest.fixture(scope="module", params=["astronaut", "coffee", "chelsea"])
def marked(request) -> tuple[np.ndarray, np.ndarray]:
    original = getattr(data, request.param)()
    return original, embed_watermark(original, PAYLOAD)


def test_clean_round_trip_and_invisibility(marked) -> None:
    original, stamped = marked
    assert _psnr(original, stamped) >= 38
    read = extract_watermark(stamped, expected=PAYLOAD)
    assert read.payload == PAYLOAD and read.found and read.bit_accuracy == 1.0


def test_survives_jpeg_quality_75(marked) -> None:
    read = extract_watermark(_jpeg(marked[1], 75), expected=PAYLOAD)
    assert read.payload == PAYLOAD and read.bit_accuracy >= 0.99


def test_survives_three_quarter_downscale(marked) -> None:
    h, w = marked[1].shape[:2]
    small = cv2.resize(marked[1], (round(w * 0.75), round(h * 0.75)), interpolation=cv2.INTER_AREA)
    read = extract_watermark(small, expected=PAYLOAD)
    assert read.payload == PAYLOAD and read.bit_accuracy >= 0.99


def test_unmarked_images_read_none() -> None:
    rng = np.random.default_rng(0)
    for rgb in (data.astronaut(), data.coffee(), rng.integers(0, 256, (200, 300, 3), np.uint8),
                np.full((128, 128, 3), 90, np.uint8)):
        read = extract_watermark(rgb)
        assert read.payload is None and not read.found


def test_alpha_is_kept_and_1080p_frames_work() -> None:
    frame = cv2.resize(data.coffee(), (1920, 1080))
    rgba = np.dstack([frame, np.full(frame.shape[:2], 200, np.uint8)])
    out = embed_watermark(rgba, 1)
    assert out.shape == rgba.shape and (out[..., 3] == 200).all()
    assert extract_watermark(out).payload == 1


def test_crc_catches_wrong_bits_and_chase_fixes_weak_ones() -> None:
    word = codeword(PAYLOAD)
    scores = np.where(word == 0, 0.5, -0.5)
    scores[[3, 40]] *= -0.1  # two weak, wrong bits
    assert chase(scores) == PAYLOAD
    scores[[5, 6, 7]] *= -1  # three confident wrong bits: the CRC refuses
    assert chase(scores) is None


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ProvenanceError, match="48 bits"):
        embed_watermark(data.astronaut(), 1 << 48)
    with pytest.raises(ProvenanceError, match="too small"):
        embed_watermark(np.zeros((32, 32, 3), np.uint8), 1)
    with pytest.raises(ProvenanceError, match="uint8"):
        extract_watermark(np.zeros((100, 100), np.float32))
