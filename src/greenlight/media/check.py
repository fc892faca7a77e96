"""Reading a file far enough to know it is a whole image or video, before anything is stored."""

from __future__ import annotations

from pathlib import Path

from greenlight.errors import MediaError
from greenlight.media.images import load_image
from greenlight.media.sniff import MediaKind, media_kind
from greenlight.media.video import probe_video


def check_media(path: str | Path) -> MediaKind:
    """Say what a file is, having proved it readable: an image decodes, a video's packets are all there.

    Raises:
        MediaError: the file is missing, empty, not an image or a video, truncated or too large.
    """
    kind = media_kind(path)
    if kind == "image":
        load_image(path)
    elif probe_video(path).frame_count < 1:
        raise MediaError(path, "has no video frames")
    return kind
