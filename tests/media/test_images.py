"""Image reading and writing: exact round trips, EXIF orientation, and refusing bad files early."""

from __future__ import annotations

import os
import struct
import time
import tracemalloc
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from greenlight.errors import MediaError
from greenlight.media import MAX_PIXELS, load_image, save_image


@pytest.fixture
def picture() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)


def test_png_round_trip_is_exact(tmp_path, picture):
    path = save_image(tmp_path / "plate.png", picture)
    loaded = load_image(path)
    assert loaded.dtype == np.uint8 and loaded.shape == (48, 64, 3)
    np.testing.assert_array_equal(loaded, picture)


def test_jpeg_round_trip_is_close(tmp_path):
    smooth = np.dstack([np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (48, 1))] * 3)
    loaded = load_image(save_image(tmp_path / "plate.jpg", smooth))
    assert np.abs(loaded.astype(int) - smooth).mean() < 2


def test_greyscale_and_rgba_become_rgb(tmp_path, picture):
    Image.fromarray(picture[:, :, 0]).save(tmp_path / "grey.png")
    Image.fromarray(np.dstack([picture, np.full((48, 64), 128, np.uint8)])).save(tmp_path / "rgba.png")
    grey = load_image(tmp_path / "grey.png")
    assert grey.shape == (48, 64, 3) and (grey[:, :, 0] == picture[:, :, 0]).all()
    np.testing.assert_array_equal(load_image(tmp_path / "rgba.png"), picture)


@pytest.mark.parametrize("kind", ["float 0..1", "float 0..255", "int32 0..255", "uint16 0..65535"])
def test_high_bit_depth_greyscale_reads_as_a_viewer_shows_it(tmp_path, picture, kind):
    # A 32-bit float TIFF holding 0..1 (as GIMP and Photoshop write and show it) read as black, so a face in
    # it was scanned as no face at all.
    grey = picture[:, :, 0]
    data = {"float 0..1": (grey / 255).astype(np.float32), "float 0..255": grey.astype(np.float32),
            "int32 0..255": grey.astype(np.int32), "uint16 0..65535": grey.astype(np.uint16) * 257}[kind]
    Image.fromarray(data).save(tmp_path / "deep.tif")
    loaded = load_image(tmp_path / "deep.tif")
    assert np.abs(loaded[:, :, 0].astype(int) - grey).max() <= 1, kind


def test_exif_orientation_is_applied(tmp_path, picture):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    Image.fromarray(picture).save(tmp_path / "portrait.jpg", exif=exif.tobytes(), quality=95)
    assert load_image(tmp_path / "portrait.jpg").shape == (64, 48, 3)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_png_header_claiming_20000_by_20000_is_refused_fast_without_allocating(tmp_path):
    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)  # 8-bit RGB
    bomb = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    assert len(bomb) < 200
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(MediaError) as caught:
        load_image(path)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5 and peak < 10_000_000  # a decoded 20000² RGB image would be 1.2 GB
    text = str(caught.value)
    assert "\n" not in text and str(path) in text and "limit" in text


def test_limit_is_checked_on_the_header(tmp_path, picture):
    path = save_image(tmp_path / "plate.png", picture)
    with pytest.raises(MediaError, match=r"64×48 pixels .* more than the 0-megapixel limit"):
        load_image(path, max_pixels=1000)
    assert MAX_PIXELS == 100_000_000


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_image_is_refused(tmp_path, suffix):
    rng = np.random.default_rng(5)
    noisy = rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)  # incompressible, so truncation bites
    whole = save_image(tmp_path / f"whole{suffix}", noisy).read_bytes()
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MediaError, match="truncated or damaged image"):
        load_image(path)


def test_truncated_image_is_refused_even_if_pillow_was_told_to_accept_it(tmp_path, picture, monkeypatch):
    whole = save_image(tmp_path / "whole.jpg", picture).read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(MediaError, match="truncated"):
        load_image(path)


def test_video_is_not_an_image(tmp_path):
    from greenlight.media import write_video

    path = write_video(tmp_path / "take.mp4", [np.zeros((16, 16, 3), np.uint8)], 25)
    with pytest.raises(MediaError, match="is a video, not an image"):
        load_image(path)


def test_save_replaces_atomically_and_leaves_no_temporary_files(tmp_path, picture):
    path = tmp_path / "plate.png"
    save_image(path, np.zeros_like(picture))
    save_image(path, picture)
    np.testing.assert_array_equal(load_image(path), picture)
    assert os.listdir(tmp_path) == ["plate.png"]


def test_failed_save_keeps_the_old_file(tmp_path, picture, monkeypatch):
    path = save_image(tmp_path / "plate.png", picture)
    before = path.read_bytes()

    def broken_save(self, fp, *args, **kwargs):
        with open(fp, "wb") as f:
            f.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(MediaError, match="cannot be written .disk full"):
        save_image(path, np.zeros_like(picture))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["plate.png"]


def test_save_refuses_bad_input(tmp_path, picture):
    with pytest.raises(MediaError, match="suffix '.gif'"):
        save_image(tmp_path / "plate.gif", picture)
    with pytest.raises(MediaError, match="shape"):
        save_image(tmp_path / "plate.png", picture[:, :, 0])
    with pytest.raises(MediaError, match="folder does not exist"):
        save_image(tmp_path / "missing" / "plate.png", picture)
