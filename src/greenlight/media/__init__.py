"""Reading and writing media: images, video (with audio passed through), file type sniffing.

Imports nothing of Greenlight but ``greenlight.errors``; PyAV is imported only when video is touched.
"""

from greenlight.media.check import check_media
from greenlight.media.files import atomic_output, file_sha256
from greenlight.media.frames import DecodedFrame
from greenlight.media.images import MAX_PIXELS, ImageView, image_frames, iter_views, load_image, load_views, save_image
from greenlight.media.sniff import MediaKind, media_kind
from greenlight.media.video import (
    VideoInfo,
    decode_frames,
    probe_video,
    read_frames,
    video_stream_count,
    write_video,
)

__all__ = [
    "MAX_PIXELS", "DecodedFrame", "ImageView", "MediaKind", "VideoInfo", "atomic_output", "check_media",
    "decode_frames", "file_sha256", "image_frames", "iter_views", "load_image", "load_views", "media_kind",
    "probe_video", "read_frames", "save_image", "video_stream_count", "write_video",
]
