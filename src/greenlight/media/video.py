"""Reading and writing video with PyAV: probe, decode to RGB frames, encode H.264 with audio passed through."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from greenlight.errors import MediaError
from greenlight.media.audio import AudioCopy
from greenlight.media.files import atomic_output
from greenlight.media.frames import DecodedFrame
from greenlight.media.sniff import media_kind

_TRUNCATED_HINT = "the file may be truncated or damaged (an interrupted copy or export); copy or export it again"
_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
_TUNES = ("film", "grain")
_CONTAINERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov"}


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds: frame size, rate and count, duration in seconds, and whether it has sound."""

    width: int
    height: int
    fps: float
    frame_count: int
    duration: float
    has_audio: bool
    rotation: int = 0
    """Degrees counter-clockwise the stored frames are turned to be displayed (0, 90, 180 or 270),
    from the stream's display matrix; ``width`` and ``height`` are already as displayed."""
    streams: int = 1
    """How many video streams the file holds (a scan looks at every one)."""
    still: bool = False
    """The stream is a still picture (cover art, a thumbnail), not moving video."""


def video_stream_count(path: str | Path) -> int:
    """How many video streams a file holds (cover art and other still pictures included).

    Raises:
        MediaError: the file is missing, not a video, or has no video stream.
    """
    path = Path(path)
    with _open(path) as container:
        return len(container.streams.video)


def probe_video(path: str | Path, stream: int = 0) -> VideoInfo:
    """Describe one video stream, its packets all read to prove the file complete (one frame decoded).

    Args:
        path: an MP4, MOV, Matroska/WebM or AVI file.
        stream: which video stream, 0-based among the file's video streams.

    Returns:
        Its ``VideoInfo``, with the size as displayed (a display-matrix rotation applied).

    Raises:
        MediaError: the file is missing, empty, not a video, has no such video stream, or is truncated.
    """
    path = Path(path)
    with _open(path) as container:
        video = _stream(path, container, stream)
        fps = _fps(path, video)
        declared = video.frames
        packets, rotation = 0, None
        try:
            for packet in container.demux(video):
                packets += 1 if packet.size and not packet.is_corrupt else 0
                if rotation is None:
                    # The display matrix reaches the decoded frame; one frame tells it.
                    rotation = next((quarter_turns(f.rotation) * 90 for f in packet.decode()), None)
        except av_errors() as e:
            raise MediaError(path, f"truncated or damaged video{_which(container, stream)} ({_reason(e)})",
                             _TRUNCATED_HINT) from None
        _check_complete(path, packets, declared)
        frame_count = declared or packets
        width, height = shown_size(path, video) or (video.codec_context.width, video.codec_context.height)
        if rotation in (90, 270):
            width, height = height, width
        return VideoInfo(
            width=width,
            height=height,
            fps=fps,
            frame_count=frame_count,
            duration=frame_count / fps,
            has_audio=bool(container.streams.audio),
            rotation=rotation or 0,
            streams=len(container.streams.video),
            still=_is_still(video),
        )


def read_frames(path: str | Path, stream: int = 0) -> Iterator[tuple[int, np.ndarray]]:
    """Decode a video stream's frames in order, as RGB, upright as displayed.

    Args:
        path: a video file.
        stream: which video stream, 0-based among the file's video streams.

    Yields:
        ``(index, rgb)``: the 0-based frame index and an ``(height, width, 3)`` ``uint8`` RGB array.

    Raises:
        MediaError: the file cannot be opened, or decoding fails or ends early (a truncated file);
            frames decoded before the damage have already been yielded.
    """
    for frame in decode_frames(path, stream):
        yield frame.index, frame.rgb()


def decode_frames(path: str | Path, stream: int = 0) -> Iterator[DecodedFrame]:
    """Decode a video stream's frames in order, converting each to RGB or greyscale only when asked.

    Args and Raises: as ``read_frames``.

    Yields:
        ``DecodedFrame`` objects (``index``, ``rgb()``, ``gray()``), upright as displayed.
    """
    path = Path(path)
    with _open(path) as container:
        video = _stream(path, container, stream)
        video.thread_type = "AUTO"  # frame threads: decoding is otherwise single-core
        declared = video.frames
        index = packets = 0
        from av.video.reformatter import VideoReformatter

        reformatter = VideoReformatter()  # one scaler context for the stream (see DecodedFrame)
        shown = shown_size(path, video)
        try:
            for packet in container.demux(video):
                if packet.size and not packet.is_corrupt:
                    packets += 1
                for frame in packet.decode():
                    yield DecodedFrame(index, frame, quarter_turns(frame.rotation), reformatter, shown)
                    index += 1
        except av_errors() as e:
            raise MediaError(path, f"truncated or damaged video{_which(container, stream)} after frame {index} "
                                   f"({_reason(e)})", _TRUNCATED_HINT) from None
        _check_complete(path, packets, declared)


MAX_ASPECT = 8
"""The widest sample aspect ratio read (either way): beyond it a file is refused, not stretched."""


def shown_size(path: Path, video: Any) -> tuple[int, int] | None:
    """``(width, height)`` a stream's frames are shown at when its pixels are not square (its sample aspect
    ratio), stretched along one side and never narrowed, to even sizes; None when they are square.

    Players show a 212×480 frame with a 4:1 ratio as 848×480: a face stored squashed in it is seen whole,
    so the scan and every engine read it as shown.
    """
    sar = video.sample_aspect_ratio or video.codec_context.sample_aspect_ratio
    if not sar or sar == 1:
        return None
    if not 1 / MAX_ASPECT <= sar <= MAX_ASPECT:
        raise MediaError(path, f"its pixels are {sar} as wide as high (a sample aspect ratio beyond "
                               f"1:{MAX_ASPECT}..{MAX_ASPECT}:1)", "re-encode it with square pixels")
    width, height = video.codec_context.width, video.codec_context.height
    if sar > 1:
        width = round(width * sar)
    else:
        height = round(height / sar)
    return width + width % 2, height + height % 2


def quarter_turns(rotation: float | None) -> int:
    """A display-matrix rotation (degrees counter-clockwise, -180..180) as quarter turns 0..3."""
    return round((rotation or 0) / 90) % 4


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float | Fraction,
    audio_from: Path | None = None,
    crf: int = 18,
    preset: str = "medium",
    tune: str | None = None,
) -> Path:
    """Encode RGB frames to an H.264 (yuv420p) MP4/MOV, atomically, passing audio through.

    The whole first audio stream of ``audio_from`` is copied packet by packet (no quality loss),
    interleaved with the video; only a codec the container cannot hold (PCM in MP4, say) is re-encoded
    to AAC.

    Args:
        path: the output file, ``.mp4``, ``.m4v`` or ``.mov``.
        frames: ``(height, width, 3)`` ``uint8`` RGB arrays, all the same even size.
        fps: frame rate; ``29.97`` and ``Fraction(30000, 1001)`` are both kept exactly.
        audio_from: a video or audio file whose first audio stream is carried over (optional).
        crf: x264 constant rate factor (0 lossless .. 51 worst; 18 is visually lossless).
        preset: x264 speed preset, ``ultrafast`` .. ``veryslow`` (faster means larger files).
        tune: an x264 tuning, ``film`` or ``grain`` (keeps fine texture in predicted frames, larger files).

    Returns:
        ``path``, as a ``Path``.

    Raises:
        MediaError: a bad suffix, fps or frame, no frames, or an unreadable ``audio_from``. The file at
            ``path`` is only replaced once the new one is complete.
    """
    import av

    path = Path(path)
    fmt = _CONTAINERS.get(path.suffix.lower())
    if fmt is None:
        raise MediaError(path, f"cannot write video with suffix {path.suffix or '(none)'!r}", "use .mp4 or .mov")
    rate = _rate(path, fps)
    if preset not in _PRESETS:
        raise MediaError(path, f"unknown x264 preset {preset!r}", f"use one of {', '.join(_PRESETS)}")
    if tune not in (None, *_TUNES):
        raise MediaError(path, f"unknown x264 tuning {tune!r}", f"use one of {', '.join(_TUNES)}")
    options = {"crf": str(int(crf)), "preset": preset, **({"tune": tune} if tune else {})}
    source = _open_audio_source(Path(audio_from)) if audio_from is not None else None
    try:
        with atomic_output(path) as tmp:
            out = av.open(str(tmp), mode="w", format=fmt)
            try:
                _encode(path, out, frames, rate, options, source)
            except BaseException:
                # Closing writes a trailer, which may fail on a half-made file: keep the first error.
                with contextlib.suppress(*av_errors()):
                    out.close()
                raise
            out.close()
    except av_errors() as e:
        raise MediaError(path, f"cannot write video ({_reason(e)})") from None
    finally:
        if source is not None:
            source.close()
    return path


def _encode(path: Path, out, frames: Iterable[np.ndarray], rate: Fraction, options: dict[str, str],
            source) -> None:
    import av

    frames = iter(frames)
    first = next(frames, None)
    if first is None:
        raise MediaError(path, "no frames to write", "pass at least one frame")
    # Streams are added before the first packet is muxed, video first so that it is stream 0.
    video = _video_stream(path, out, first, rate, options)
    audio = AudioCopy(out, source) if source is not None and source.streams.audio else None
    for index, rgb in enumerate(itertools.chain([first], frames)):
        frame = av.VideoFrame.from_ndarray(_check_frame(path, rgb, video, index), format="rgb24")
        frame.pts, frame.time_base = index, 1 / rate
        for packet in video.encode(frame.reformat(format="yuv420p")):
            out.mux(packet)
            if audio is not None:
                audio.mux_until(float(packet.pts * packet.time_base))
    for packet in video.encode(None):
        out.mux(packet)
    if audio is not None:
        audio.finish()


def _video_stream(path: Path, out, rgb: np.ndarray, rate: Fraction, options: dict[str, str]):
    if not (isinstance(rgb, np.ndarray) and rgb.ndim == 3 and rgb.shape[2] == 3):
        raise MediaError(path, f"frame 0 has shape {getattr(rgb, 'shape', None)}", "pass (height, width, 3) RGB")
    height, width = rgb.shape[:2]
    if width % 2 or height % 2:
        raise MediaError(path, f"frame size {width}×{height} is odd; H.264 yuv420p needs even sizes",
                         "crop or pad the frames by one pixel")
    stream = out.add_stream("libx264", rate=rate)
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.options = options
    return stream


def _check_frame(path: Path, rgb: np.ndarray, stream, index: int) -> np.ndarray:
    expected = (stream.height, stream.width, 3)
    if not isinstance(rgb, np.ndarray) or rgb.shape != expected or rgb.dtype != np.uint8:
        raise MediaError(path, f"frame {index} is {getattr(rgb, 'shape', None)} {getattr(rgb, 'dtype', None)}, "
                               f"expected {expected} uint8")
    return np.ascontiguousarray(rgb)


def _rate(path: Path, fps: float | Fraction) -> Fraction:
    try:
        rate = Fraction(fps).limit_denominator(1001)
    except (TypeError, ValueError):
        rate = Fraction(0)
    if rate <= 0:
        raise MediaError(path, f"frame rate {fps!r} is not a positive number")
    return rate


def _fps(path: Path, stream) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not rate and _is_still(stream):
        return 1.0  # cover art: one picture, shown for the whole file
    if not rate:
        raise MediaError(path, "the video stream has no frame rate", _TRUNCATED_HINT)
    return float(rate)


def _is_still(stream) -> bool:
    import av

    return bool(stream.disposition & (av.stream.Disposition.attached_pic | av.stream.Disposition.still_image))


def _stream(path: Path, container, stream: int):
    videos = container.streams.video
    if not 0 <= stream < len(videos):
        raise MediaError(path, f"has {len(videos)} video stream{'s' if len(videos) != 1 else ''}, "
                               f"not a stream {stream + 1}")
    return videos[stream]


def _which(container, stream: int) -> str:
    count = len(container.streams.video)
    return f" (video stream {stream + 1} of {count})" if count > 1 else ""


def _check_complete(path: Path, packets: int, declared: int) -> None:
    # MP4/MOV declare their sample count up front; fewer packets on disk means the file was cut short.
    if declared and packets < declared:
        raise MediaError(path, f"truncated video: {packets} of {declared} frames present", _TRUNCATED_HINT)


def _open(path: Path):
    import av

    if media_kind(path) != "video":
        raise MediaError(path, "is an image, not a video", "give a video file")
    try:
        container = av.open(str(path))
    except av_errors() as e:
        raise MediaError(path, f"not a readable video ({_reason(e)})", _TRUNCATED_HINT) from None
    if not container.streams.video:
        container.close()
        raise MediaError(path, "has no video stream")
    return container


def _open_audio_source(path: Path):
    import av

    try:
        return av.open(str(path))
    except av_errors() as e:
        raise MediaError(path, f"cannot read its audio ({_reason(e)})", _TRUNCATED_HINT) from None


def av_errors() -> tuple[type[BaseException], ...]:
    """The exceptions PyAV raises for bad media (imported lazily: PyAV is an optional extra)."""
    import av

    return (av.error.FFmpegError, EOFError)


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return text.strip().splitlines()[0].rstrip(":")
