"""Reading a file far enough to know it is whole and can be carried through Greenlight, before anything is stored."""

from __future__ import annotations

from pathlib import Path

from greenlight.errors import MediaError
from greenlight.media.images import image_frames, load_image
from greenlight.media.sniff import MediaKind, media_kind
from greenlight.media.video import probe_video, video_stream_count

_CONVERT = "convert it to an MP4 video (ffmpeg -i {name} -pix_fmt yuv420p {stem}.mp4), or give one frame as PNG"


def check_media(path: str | Path) -> MediaKind:
    """Say what a file is, having proved it readable and whole enough for an engine to take it in.

    An image decodes and is a single picture; a video's packets are all there in every video stream,
    it has one moving-picture stream (cover art aside) and an even frame size. Engines write one still
    or one H.264 stream, so an animation, a second page or a second stream would silently be lost from
    the signed output; they are refused here, naming the file, before a job exists. Scanning does not
    go through this check: it reads every frame, page and stream (``load_views``, ``video_stream_count``).

    Raises:
        MediaError: the file is missing, empty, not an image or a video, truncated, too large, animated
            or multi-page, has several video streams, or an odd frame size.
    """
    path = Path(path)
    kind = media_kind(path)
    if kind == "image":
        _check_still(path)
    else:
        _check_video(path)
    return kind


def _check_still(path: Path) -> None:
    load_image(path)
    frames = image_frames(path)
    if frames > 1:
        what = "pages" if path.suffix.lower() in (".tif", ".tiff") else "frames"
        raise MediaError(path, f"holds {frames} {what}; Greenlight signs and watermarks a single picture and "
                               f"would keep only the first", _CONVERT.format(name=path.name, stem=path.stem))


def _check_video(path: Path) -> None:
    infos = [probe_video(path, stream) for stream in range(video_stream_count(path))]
    moving = [info for info in infos if not info.still]
    first = infos[0]
    if first.frame_count < 1:
        raise MediaError(path, "has no video frames")
    if first.still and moving:
        raise MediaError(path, "its first video stream is a still picture, before the moving one",
                         "put the moving video stream first (ffmpeg's -map option)")
    if len(moving) > 1:
        raise MediaError(path, f"holds {len(moving)} video streams; Greenlight signs and watermarks one and would "
                               f"drop the others", "keep one video stream (ffmpeg's -map option) and give that file")
    if first.width % 2 or first.height % 2:
        raise MediaError(path, f"frame size {first.width}×{first.height} is odd; Greenlight writes H.264 "
                               f"(yuv420p), which needs even sizes", "crop or pad the video by one pixel")
