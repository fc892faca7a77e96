"""Video probing, decoding and writing: round trips keep count, rate, size and sound; bad files are refused."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from greenlight.errors import MediaError
from greenlight.media import probe_video, read_frames, write_video

W, H = 96, 64


def _frames(count: int) -> list[np.ndarray]:
    out = []
    for i in range(count):
        rgb = np.zeros((H, W, 3), np.uint8)
        rgb[:, :, 0] = np.linspace(0, 255, W, dtype=np.uint8)
        rgb[8:40, 4 * i % W: 4 * i % W + 16] = (40, 200, 90)  # a moving block
        out.append(rgb)
    return out


def _source(path: Path, codec: str, fps: Fraction, count: int, seconds: float, faststart: bool = False) -> Path:
    """A small video with a sine tone in ``codec`` (aac, or pcm_s16le in Matroska)."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = W, H, "yuv420p"
        audio = out.add_stream(codec, rate=48000)
        audio.layout = "stereo"
        for i, rgb in enumerate(_frames(count)):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            frame.pts, frame.time_base = i, 1 / fps
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        t = np.arange(int(48000 * seconds)) / 48000
        tone = (np.sin(2 * np.pi * 440 * t) * 0.3).astype(np.float32)
        fmt = "fltp" if codec == "aac" else "s16"
        for start in range(0, len(tone), 1024):
            chunk = tone[start:start + 1024]
            samples = np.stack([chunk, chunk]) if fmt == "fltp" else (np.stack([chunk, chunk]).T.reshape(1, -1)
                                                                       * 32767).astype(np.int16)
            frame = av.AudioFrame.from_ndarray(samples, format=fmt, layout="stereo")
            frame.sample_rate, frame.pts = 48000, start
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)
    return path


def _audio(path: Path) -> tuple[str, int, float]:
    with av.open(str(path)) as c:
        (stream,) = c.streams.audio
        return stream.codec_context.name, stream.codec_context.sample_rate, float(stream.duration * stream.time_base)


def test_round_trip_keeps_count_rate_size_and_audio(tmp_path):
    fps = Fraction(30000, 1001)
    source = _source(tmp_path / "plate.mp4", "aac", fps, count=30, seconds=1.0)
    frames = [rgb for _, rgb in read_frames(source)]
    assert len(frames) == 30 and frames[0].shape == (H, W, 3) and frames[0].dtype == np.uint8
    out = write_video(tmp_path / "out.mp4", frames, 29.97002997, audio_from=source)
    info = probe_video(out)
    assert (info.width, info.height, info.frame_count, info.has_audio) == (W, H, 30, True)
    assert info.fps == pytest.approx(30000 / 1001)
    assert info.duration == pytest.approx(30 / info.fps)
    with av.open(str(out)) as c:
        assert c.streams.video[0].average_rate == fps
        assert c.streams.video[0].codec_context.name == "h264"
        assert c.streams.video[0].codec_context.pix_fmt == "yuv420p"
    # The sound is copied packet for packet: same codec, rate and length.
    assert _audio(out) == pytest.approx(_audio(source)) and _audio(out)[0] == "aac"
    decoded = [rgb for _, rgb in read_frames(out)]
    assert len(decoded) == 30
    assert np.abs(decoded[10].astype(int) - frames[10]).mean() < 3  # crf 18: visually lossless


def test_sample_rate_29_97_is_kept_exactly(tmp_path):
    out = write_video(tmp_path / "out.mp4", _frames(4), 29.97)
    with av.open(str(out)) as c:
        assert c.streams.video[0].average_rate == Fraction(2997, 100)


def test_pcm_audio_that_mp4_cannot_hold_is_re_encoded_to_aac(tmp_path):
    source = _source(tmp_path / "plate.mkv", "pcm_s16le", Fraction(25), count=25, seconds=1.0)
    out = write_video(tmp_path / "out.mp4", [rgb for _, rgb in read_frames(source)], 25, audio_from=source)
    codec, rate, seconds = _audio(out)
    assert (codec, rate) == ("aac", 48000) and seconds == pytest.approx(1.0, abs=0.05)
    assert probe_video(out).frame_count == 25


def test_write_is_atomic(tmp_path):
    path = write_video(tmp_path / "out.mp4", _frames(3), 25)
    before = path.read_bytes()
    odd = [np.zeros((H, W, 3), np.uint8), np.zeros((H + 2, W, 3), np.uint8)]
    with pytest.raises(MediaError, match="frame 1 is"):
        write_video(path, odd, 25)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["out.mp4"]


@pytest.mark.parametrize(("frames", "fps", "message"), [
    ([], 25, "no frames to write"),
    ([np.zeros((H + 1, W, 3), np.uint8)], 25, "is odd"),
    ([np.zeros((H, W, 3), np.uint8)], 0, "not a positive number"),
])
def test_write_refuses_bad_input(tmp_path, frames, fps, message):
    with pytest.raises(MediaError, match=message):
        write_video(tmp_path / "out.mp4", frames, fps)
    assert os.listdir(tmp_path) == []


def test_write_refuses_an_unknown_tuning_and_keeps_grain(tmp_path):
    with pytest.raises(MediaError, match="unknown x264 tuning 'grainy'.*film, grain"):
        write_video(tmp_path / "out.mp4", _frames(2), 25, tune="grainy")
    assert os.listdir(tmp_path) == []
    # x264 writes its settings into the stream: grain's small dead zones are what keep fine texture.
    assert b"deadzone=6,6" in write_video(tmp_path / "grain.mp4", _frames(2), 25, tune="grain").read_bytes()
    assert b"deadzone=21,11" in write_video(tmp_path / "plain.mp4", _frames(2), 25).read_bytes()


def test_write_refuses_unknown_suffix(tmp_path):
    with pytest.raises(MediaError, match="suffix '.avi'"):
        write_video(tmp_path / "out.avi", _frames(1), 25)


@pytest.mark.parametrize("faststart", [False, True], ids=["index-at-end", "index-first"])
def test_truncated_mp4_is_a_one_line_media_error(tmp_path, faststart):
    whole = _source(tmp_path / "whole.mp4", "aac", Fraction(25), count=50, seconds=2.0, faststart=faststart)
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    for attempt in (lambda: probe_video(cut), lambda: list(read_frames(cut))):
        with pytest.raises(MediaError) as caught:
            attempt()
        text = str(caught.value)
        assert "\n" not in text and text.startswith(f"{cut}: ") and "truncated" in text


def test_zero_byte_and_text_videos(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="empty file"):
        probe_video(empty)
    text = tmp_path / "take.mov"
    text.write_text("EDL: TITLE: reel 1\n")
    with pytest.raises(MediaError, match="not a video: it is text"):
        list(read_frames(text))


def test_image_is_not_a_video(tmp_path):
    from greenlight.media import save_image

    path = save_image(tmp_path / "still.png", _frames(1)[0])
    with pytest.raises(MediaError, match="is an image, not a video"):
        probe_video(path)


def test_decoded_frames_give_rgb_and_full_range_grey_on_demand(tmp_path):
    import cv2

    from greenlight.media import decode_frames

    source = write_video(tmp_path / "plate.mp4", _frames(5), 25)
    frames = list(decode_frames(source))
    assert [f.index for f in frames] == list(range(5))
    for frame, (_, rgb) in zip(frames, read_frames(source), strict=True):
        np.testing.assert_array_equal(frame.rgb(), rgb)
        grey = frame.gray()
        assert grey.shape == (H, W) and grey.dtype == np.uint8 and grey.flags["C_CONTIGUOUS"]
        # Luma from the Y plane (BT.709 weights) against OpenCV's BT.601 grey of the RGB picture.
        assert np.abs(grey.astype(int) - cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)).mean() < 4


def test_decoded_rgb_is_pyav_s_own_conversion_to_the_bit(tmp_path):
    # The stream's frames share one scaler (it is 2–4× quicker): the pictures must not change for it.
    from greenlight.media import decode_frames

    source = write_video(tmp_path / "plate.mp4", _frames(6), 25)
    with av.open(str(source)) as container:
        own = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    shared = [f.rgb() for f in decode_frames(source)]
    assert len(shared) == len(own) == 6
    for ours, theirs in zip(shared, own, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def _anamorphic(path: Path, stored: np.ndarray, sar: Fraction, count: int = 3) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = stored.shape[1], stored.shape[0], "yuv420p"
        stream.codec_context.sample_aspect_ratio = sar
        for _ in range(count):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(stored, format="rgb24")))
        container.mux(stream.encode())
    return path


@pytest.mark.parametrize(("stored", "sar", "shown"), [((48, 24), Fraction(4, 1), (48, 96)),
                                                      ((16, 96), Fraction(1, 3), (48, 96))])
def test_frames_stored_squashed_are_decoded_as_displayed(tmp_path, stored, sar, shown):
    # A frame stored 24×48 with a 4:1 sample aspect ratio is shown 96×48: a face squashed into it was scanned
    # squashed and missed. Frames and probe alike give the picture as shown, widened rather than narrowed.
    picture = np.zeros((*shown, 3), np.uint8)
    picture[:, : shown[1] // 2] = (230, 40, 40)
    squashed = cv2.resize(picture, (stored[1], stored[0]), interpolation=cv2.INTER_AREA)
    path = _anamorphic(tmp_path / "anamorphic.mp4", squashed, sar)
    info = probe_video(path)
    assert (info.height, info.width) == shown
    frames = [rgb for _, rgb in read_frames(path)]
    assert frames[0].shape == (*shown, 3)
    assert frames[0][:, : shown[1] // 2 - 4, 0].mean() > 180 and frames[0][:, shown[1] // 2 + 4:, 0].mean() < 60
