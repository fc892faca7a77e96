"""File type by content: images, videos, and one-line refusals for everything else."""

from __future__ import annotations

import numpy as np
import pytest

from greenlight.errors import MediaError
from greenlight.media import media_kind, save_image


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".tif"])
def test_images_are_recognised_by_their_bytes_whatever_their_name(tmp_path, suffix):
    path = save_image(tmp_path / f"frame{suffix}", np.zeros((8, 8, 3), np.uint8))
    assert media_kind(path) == "image"
    disguised = path.rename(tmp_path / "frame.mp4")
    assert media_kind(disguised) == "image"


def test_mp4_and_mov_are_videos(tmp_path):
    from greenlight.media import write_video

    for name in ("a.mp4", "a.mov"):
        path = write_video(tmp_path / name, [np.zeros((16, 16, 3), np.uint8)] * 2, 25)
        assert media_kind(path) == "video"


def _one_line_naming(error: MediaError, path) -> str:
    text = str(error)
    assert "\n" not in text and str(path) in text
    return text


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(MediaError) as caught:
        media_kind(path)
    assert "empty file (0 bytes)" in _one_line_naming(caught.value, path)


def test_text_named_jpg_is_not_an_image(tmp_path):
    path = tmp_path / "headshot.jpg"
    path.write_text("Lorem ipsum, a text file with the wrong name.\n")
    with pytest.raises(MediaError) as caught:
        media_kind(path)
    assert _one_line_naming(caught.value, path).startswith(f"{path}: not an image: it is text")


def test_text_named_mp4_is_not_a_video(tmp_path):
    path = tmp_path / "take.mp4"
    path.write_text("ffconcat version 1.0\nfile 'a.mp4'\n")
    with pytest.raises(MediaError, match="not a video: it is text"):
        media_kind(path)


def test_unknown_binary(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(MediaError) as caught:
        media_kind(path)
    assert "unknown file type (starts with 00 01 02" in _one_line_naming(caught.value, path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(MediaError, match="no such file"):
        media_kind(tmp_path / "nope.png")
    with pytest.raises(MediaError, match="is a folder"):
        media_kind(tmp_path)


def test_heif_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "photo.heic"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    with pytest.raises(MediaError, match="HEIF/AVIF .* convert it to PNG or JPEG"):
        media_kind(path)


def test_a_pipe_named_like_a_picture_is_refused_at_once(tmp_path):
    import os

    pipe = tmp_path / "fifo.png"
    os.mkfifo(pipe)  # opening it would wait for a writer: `scan` hung until killed
    with pytest.raises(MediaError) as caught:
        media_kind(pipe)
    assert "not a regular file" in _one_line_naming(caught.value, pipe)


def test_a_name_that_is_not_utf8_is_refused_before_anything_reads_it(tmp_path):
    import os

    path = os.fsdecode(os.fsencode(tmp_path) + b"/bad\xffname.png")
    save_image(path, np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(MediaError, match="not valid UTF-8") as caught:
        media_kind(path)
    assert "\n" not in str(caught.value)
    str(caught.value).encode("utf-8")  # the message itself can be printed
