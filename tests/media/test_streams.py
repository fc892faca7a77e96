"""Video as displayed: every video stream, and the display-matrix rotation applied (issue 7, class 1)."""

from __future__ import annotations

import numpy as np
import pytest

from greenlight.errors import MediaError
from greenlight.media import decode_frames, probe_video, read_frames, video_stream_count
from tests.conftest import CLIPS
from tests.media import corpus


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    import cv2

    return cv2.resize(corpus.astronaut(), (320, 320), interpolation=cv2.INTER_AREA)


def _striped(height: int = 32, width: int = 64) -> np.ndarray:
    """A black frame with a white band down its left edge: where the band goes shows the rotation."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, :8] = 255
    return rgb


def test_every_video_stream_is_read(tmp_path, face):
    path = corpus.video(tmp_path / "two.mp4", [[corpus.blank(face)] * 3, [face] * 4])
    assert video_stream_count(path) == 2
    first, second = probe_video(path, 0), probe_video(path, 1)
    assert (first.streams, first.frame_count, second.frame_count) == (2, 3, 4)
    assert [i for i, _ in read_frames(path, 1)] == [0, 1, 2, 3]
    assert max(rgb.max() for _, rgb in read_frames(path, 0)) < 20
    assert np.abs(next(read_frames(path, 1))[1].astype(int) - face).mean() < 6


def test_a_stream_that_is_not_there_is_refused_naming_the_file(tmp_path, face):
    path = corpus.video(tmp_path / "one.mp4", [[face]])
    with pytest.raises(MediaError, match=r"one\.mp4: has 1 video stream, not a stream 2"):
        list(decode_frames(path, 1))


@pytest.mark.parametrize("degrees, shape, band", [
    (90, (64, 32), "bottom"),   # turned counter-clockwise: the left edge goes to the bottom
    (-90, (64, 32), "top"),     # clockwise, as a phone held upright: the left edge goes to the top
    (180, (32, 64), "right"),
])
def test_display_rotation_is_applied(tmp_path, degrees, shape, band):
    path = corpus.video(tmp_path / "turned.mp4", [[_striped()] * 2], rotation=degrees)
    info = probe_video(path)
    assert (info.height, info.width) == shape and info.rotation == degrees % 360
    frame = next(decode_frames(path))
    rgb, gray = frame.rgb(), frame.gray()
    assert rgb.shape[:2] == shape and gray.shape == shape
    edges = {"top": np.s_[0], "bottom": np.s_[-1], "left": np.s_[:, 0], "right": np.s_[:, -1]}
    assert [name for name, edge in edges.items() if rgb[edge].mean() > 200] == [band]
    assert gray[edges[band]].mean() > 200


def test_a_phone_matrix_written_in_the_track_header_is_read(tmp_path):
    """The matrix bytes are written by hand as an iPhone does ({0, 1, -1, 0}: 90° clockwise to display)."""
    path = corpus.set_tkhd_matrix(corpus.video(tmp_path / "phone.mp4", [[_striped()] * 2]), 0, 1, -1, 0)
    info = probe_video(path)
    assert (info.width, info.height, info.rotation) == (32, 64, 270)  # ffprobe says "rotation: -90"
    rgb = next(read_frames(path))[1]
    assert rgb.shape == (64, 32, 3) and rgb[0].mean() > 200 and rgb[-1].mean() < 50


def test_an_upright_file_reads_exactly_as_pyav_decodes_it(tmp_path, face):
    import av

    path = corpus.video(tmp_path / "plain.mp4", [[face, np.ascontiguousarray(face[::-1])]])
    with av.open(str(path)) as container:
        raw = [(f.to_ndarray(format="rgb24"), f.to_ndarray(format="gray")) for f in container.decode(video=0)]
    frames = list(decode_frames(path))
    assert [f.turns for f in frames] == [0, 0]
    for frame, (rgb, _) in zip(frames, raw, strict=True):
        np.testing.assert_array_equal(frame.rgb(), rgb)
    info = probe_video(path)
    assert (info.width, info.height, info.rotation, info.streams, info.frame_count) == (320, 320, 0, 1, 2)


@pytest.mark.parametrize("case", corpus.CATCH_CASES[7:], ids=lambda c: c.name)
def test_the_face_is_found_in_some_stream_upright(tmp_path, case, analyzer):
    """The detector in use finds the face in a stream's first upright frame, and not in stream 0 as stored."""
    import av

    path = case.make(tmp_path, corpus.astronaut())
    pictures = corpus.new_pictures(path)
    assert any(analyzer.detect(rgb) for rgb in pictures)
    with av.open(str(path)) as container:
        stored = next(container.decode(video=0)).to_ndarray(format="rgb24")
    assert not analyzer.detect(stored)


@pytest.mark.parametrize("which", CLIPS)
def test_the_sample_clip_reads_as_before(request, which):
    import av

    clip = request.getfixturevalue("cast_clip" if which == "built" else "real_clip").path
    info = probe_video(clip)
    assert (info.rotation, info.streams) == (0, 1)
    with av.open(str(clip)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24")
    np.testing.assert_array_equal(next(read_frames(clip))[1], first)
    assert (info.width, info.height) == first.shape[1::-1]


def test_a_truncated_second_stream_is_one_line_naming_the_file(tmp_path, face):
    whole = corpus.video(tmp_path / "whole.mp4", [[face] * 10, [face] * 10])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(MediaError) as caught:
        probe_video(cut, 1)
    message = str(caught.value)
    assert message.startswith(f"{cut}: ") and "\n" not in message and message.count(str(cut)) == 1


def test_cover_art_is_a_still_stream_that_is_read_too(tmp_path, face):
    from greenlight.media import check_media

    path = corpus.with_cover(tmp_path / "song.mp4", [corpus.blank(face)] * 3, face)
    assert video_stream_count(path) == 2
    cover = probe_video(path, 1)
    assert cover.still and cover.frame_count == 1 and not probe_video(path, 0).still
    [(_, rgb)] = list(read_frames(path, 1))
    assert np.abs(rgb.astype(int) - face).mean() < 8  # the face a player shows as the file's picture
    assert check_media(path) == "video"  # one moving stream: ingest signs it, the cover is only scanned
