"""Media errors through `greenlight ingest` name the user's file, never a path in the studio (issue 7, class 7).

Before: an animated GIF failed at signing with ``…/work/.signing-…/.greenlight-mark-…/marked.gif: cannot
write images with suffix '.gif'``; an APNG, animated WebP or two-page TIFF was signed as its first frame
alone; a still GIF, MKV, WebM or AVI failed with its copy in ``assets/`` named as an unknown ingredient.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from greenlight.errors import MediaError, ProvenanceError
from greenlight.runtime.messages import for_user
from tests.cli.conftest import cli, one_line_error  # noqa: F401  (the fixture, used by name)
from tests.media import corpus

GREY = np.full((240, 320, 3), 90, np.uint8)


@pytest.fixture
def studio(cli):  # noqa: F811
    assert cli("keys", "init").code == 0
    assert cli("production", "add", "P", "Pilot").code == 0
    return cli


def _ingest(studio, path: Path):
    return studio("ingest", path, "--tool", "HostedModel 3", "--production", "P")


def _no_studio_path(run, home: Path) -> None:
    for text in (run.out, run.err):
        assert str(home) not in text.replace(f"output: {home}", ""), text
        assert "work/" not in text and ".signing-" not in text and "marked." not in text, text


@pytest.mark.parametrize("name, fmt, what", [("anim.gif", "GIF", "2 frames"), ("anim.png", "PNG", "2 frames"),
                                             ("anim.webp", "WEBP", "2 frames"), ("pages.tif", "TIFF", "2 pages")])
def test_an_animation_is_refused_before_a_job_naming_the_file(studio, tmp_path, name, fmt, what):
    path = corpus.animation(tmp_path / name, [GREY, 255 - GREY], fmt)
    run = _ingest(studio, path)
    one_line_error(run, f"error: {path}: holds {what}", "keep only the first", "MP4")
    _no_studio_path(run, studio.home)
    assert studio("jobs", "list").out.count("job_") == 0


def test_a_still_gif_is_signed_as_png(studio, tmp_path):
    path = tmp_path / "still.gif"
    Image.fromarray(GREY).save(path)
    run = _ingest(studio, path)
    assert run.code == 0 and "in_review" in run.out, run.out + run.err
    assert run.out.strip().splitlines()[-1].endswith(".png")


@pytest.mark.parametrize("name, fmt, codec", [("take.mkv", "matroska", "libx264"), ("take.webm", "webm", "libvpx-vp9"),
                                              ("take.avi", "avi", "mpeg4")])
def test_other_containers_ingest_as_mp4(studio, tmp_path, name, fmt, codec):
    import av

    path = tmp_path / name
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for index in range(3):
            frame = av.VideoFrame.from_ndarray(GREY, format="rgb24")
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    run = _ingest(studio, path)
    assert run.code == 0 and "in_review" in run.out, run.out + run.err
    assert run.out.strip().splitlines()[-1].endswith(".mp4")


def test_two_video_streams_are_refused_naming_the_file(studio, tmp_path):
    path = corpus.video(tmp_path / "two.mp4", [[GREY] * 2, [GREY] * 2])
    one_line_error(_ingest(studio, path), f"error: {path}: holds 2 video streams")


def test_an_odd_frame_size_is_refused_naming_the_file(studio, tmp_path):
    import av

    path = tmp_path / "odd.mkv"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 321, 241, "yuv444p"
        frame = av.VideoFrame.from_ndarray(np.full((241, 321, 3), 90, np.uint8), format="rgb24")
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    one_line_error(_ingest(studio, path), f"error: {path}: frame size 321×241 is odd")


def test_a_picture_too_small_for_a_watermark_is_refused_naming_the_users_file(studio, tmp_path):
    path = tmp_path / "tiny.png"
    Image.fromarray(GREY[:16, :16]).save(path)
    run = _ingest(studio, path)  # it used to fail at signing, with a job and a stored copy left behind
    one_line_error(run, "tiny.png", "is 16x16", "64x64")
    _no_studio_path(run, studio.home)


def test_scratch_and_store_paths_become_the_users_names(tmp_path):
    home = tmp_path / "studio"
    stored = home / "assets" / "ab" / "cd" / "abcd.gif"
    names = {stored: "take.gif"}
    scratch = home / "work" / ".signing-x1" / ".greenlight-mark-y2" / "marked.gif"
    error = MediaError(scratch, "cannot write images with suffix '.gif'", "use .png")
    said = for_user(error, home, names, "the output job_1-take.png", "take.gif")
    assert isinstance(said, MediaError)
    assert said.one_line() == "the output job_1-take.png: cannot write images with suffix '.gif' — use .png"
    error = ProvenanceError(f"could not sign {stored}: bad box at {scratch}", "try again")
    said = for_user(error, home, names, "the output", "take.gif")
    assert isinstance(said, ProvenanceError)
    assert said.one_line() == "could not sign take.gif: bad box at the output — try again"
    assert for_user(MediaError(stored, "truncated"), home, names, "x").one_line() == "take.gif: truncated"


def test_an_error_about_the_users_own_file_is_kept(tmp_path):
    error = MediaError(tmp_path / "take.png", "truncated")
    assert for_user(error, tmp_path / "studio", {}, "x") is error
    plain = ProvenanceError("a 16x16 image is too small to carry a watermark")
    assert for_user(plain, tmp_path / "studio", {}, "x") is plain
    assert for_user(plain, tmp_path / "studio", {}, "x", "tiny.png").one_line().startswith("tiny.png: a 16x16")
