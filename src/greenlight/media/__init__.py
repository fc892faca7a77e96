"""Reading and writing media: images, video (with audio passed through), file type sniffing.

Imports nothing of Greenlight but ``greenlight.errors``; PyAV is imported only when video is touched.
"""

from greenlight.media.check import check_media
from greenlight.media.files import atomic_output, file_sha256
from greenlight.media.frames import DecodedFrame
from greenlight.media.images import MAX_PIXELS, load_image, save_image
from greenlight.media.sniff import MediaKind, media_kind
from greenlight.media.video import VideoInfo, decode_frames, probe_video, read_frames, write_video

__all__ = [
    "MAX_PIXELS", "DecodedFrame", "MediaKind", "VideoInfo", "atomic_output", "check_media", "decode_frames",
    "file_sha256", "load_image", "media_kind", "probe_video", "read_frames", "save_image", "write_video",
]
