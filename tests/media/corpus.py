"""Adversarial media made at test time: faces a person sees that a first-frame, first-stream read misses.

Each case hides a face (skimage's astronaut, or a sample photo) where only a reader that looks at
every frame, page, stream and backdrop, as the file is displayed, finds it: the second frame of an
animation, the second page of a TIFF, the alpha channel, the second video stream, a display-matrix
rotation. ``PASS_CASES`` are ordinary files that must read exactly as before and hold no hidden face.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image


def astronaut() -> np.ndarray:
    """A self-contained face (512×512 RGB; dlib finds it at about (175, 76)–(266, 167))."""
    from skimage import data

    return data.astronaut()


FACE_BOX = np.s_[40:210, 140:300]
"""Rows and columns of the astronaut picture around her face, with margin."""


def blank(like: np.ndarray, level: int = 0) -> np.ndarray:
    return np.full_like(like, level)


def animation(path: Path, frames: list[np.ndarray], fmt: str) -> Path:
    """Write ``frames`` as an animated GIF, APNG or WebP (lossless), or a multi-page TIFF."""
    images = [Image.fromarray(f) for f in frames]
    options = {} if fmt == "TIFF" else {"loop": 0, "duration": 100}
    if fmt == "WEBP":
        options["lossless"] = True
    images[0].save(path, format=fmt, save_all=True, append_images=images[1:], **options)
    return path


def partial_gif(path: Path, face: np.ndarray) -> Path:
    """A GIF whose second frame only updates the face's box over a black first frame (a delta frame)."""
    second = blank(face)
    second[FACE_BOX] = face[FACE_BOX]
    # Pillow writes only the changed box of each later frame: the face arrives as a partial frame.
    Image.fromarray(blank(face)).save(path, save_all=True, append_images=[Image.fromarray(second)], loop=0,
                                      duration=100, disposal=1)
    return path


def alpha_face(path: Path, face: np.ndarray) -> Path:
    """A PNG with black colour everywhere and the face drawn only in alpha (visible over white)."""
    ink = 255 - cv2.cvtColor(face, cv2.COLOR_RGB2GRAY)  # dark features opaque, light skin see-through
    rgba = np.dstack([np.zeros_like(face), ink])
    Image.fromarray(rgba, "RGBA").save(path)
    return path


def hidden_face(path: Path, face: np.ndarray) -> Path:
    """A PNG whose colour holds the face under alpha 0 (shown by any program that drops alpha)."""
    rgba = np.dstack([face, np.zeros(face.shape[:2], np.uint8)])
    Image.fromarray(rgba, "RGBA").save(path)
    return path


def video(path: Path, streams: list[list[np.ndarray]], rotation: int | None = None) -> Path:
    """An H.264 MP4 with one video stream per list of frames, each optionally with a display rotation."""
    import av

    with av.open(str(path), "w") as out:
        encoders = []
        for frames in streams:
            stream = out.add_stream("libx264", rate=10)
            stream.height, stream.width = frames[0].shape[:2]
            stream.pix_fmt = "yuv420p"
            if rotation is not None:
                stream.set_display_rotation(rotation)  # degrees counter-clockwise, as frame.rotation reads
            encoders.append((stream, frames))
        for index in range(max(len(f) for f in streams)):
            for stream, frames in encoders:
                if index < len(frames):
                    frame = av.VideoFrame.from_ndarray(frames[index], format="rgb24")
                    frame.pts = index
                    out.mux(stream.encode(frame))
        for stream, _ in encoders:
            out.mux(stream.encode(None))
    return path


def set_tkhd_matrix(path: Path, a: int, b: int, c: int, d: int) -> Path:
    """Overwrite the first track header's matrix as a phone writes it (16.16 fixed point, w = 1.0).

    This is how iPhones store a portrait take ("rotate 90" in old tools, ffprobe's rotation -90): a
    landscape-coded picture plus a matrix, written here by hand so the reading side is checked against
    the MP4 layout itself rather than against PyAV's own writer.
    """
    data = bytearray(path.read_bytes())
    at = data.index(b"tkhd")
    version = data[at + 4]
    # After the box type: version/flags 4, times and ids (v0: 20 bytes, v1: 32), reserved 8, layer etc. 8.
    matrix_at = at + 4 + 4 + (20 if version == 0 else 32) + 8 + 8
    values = (a << 16, b << 16, 0, c << 16, d << 16, 0, 0, 0, 1 << 30)
    data[matrix_at : matrix_at + 36] = struct.pack(">9i", *values)
    path.write_bytes(bytes(data))
    return path


def sideways(face: np.ndarray, turns: int) -> np.ndarray:
    """The picture as stored for a display rotation of ``turns`` quarter turns counter-clockwise."""
    return np.ascontiguousarray(np.rot90(face, -turns))


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path, np.ndarray], Path]


def _small(face: np.ndarray) -> np.ndarray:
    return cv2.resize(face, (320, 320), interpolation=cv2.INTER_AREA)


CATCH_CASES = (
    Case("gif, face on frame 2", lambda d, f: animation(d / "two.gif", [blank(f), f], "GIF")),
    Case("gif, face in a partial frame 2", lambda d, f: partial_gif(d / "delta.gif", f)),
    Case("apng, face on frame 2", lambda d, f: animation(d / "two.png", [blank(f), f], "PNG")),
    Case("webp, face on frame 2", lambda d, f: animation(d / "two.webp", [blank(f), f], "WEBP")),
    Case("tiff, face on page 2", lambda d, f: animation(d / "two.tif", [blank(f, 255), f], "TIFF")),
    Case("png, face only in alpha", lambda d, f: alpha_face(d / "alpha.png", f)),
    Case("png, face under alpha 0", lambda d, f: hidden_face(d / "hidden.png", f)),
    Case("mp4, face in stream 2", lambda d, f: video(d / "two.mp4", [[blank(_small(f))] * 3, [_small(f)] * 3])),
    Case("mp4, display rotation 90", lambda d, f: video(d / "r90.mp4", [[sideways(_small(f), 1)] * 3], 90)),
    Case("mp4, display rotation 180", lambda d, f: video(d / "r180.mp4", [[sideways(_small(f), 2)] * 3], 180)),
    Case("mp4, tkhd matrix of a phone (cw 90)", lambda d, f: set_tkhd_matrix(
        video(d / "phone.mp4", [[sideways(_small(f), 3)] * 3]), 0, 1, -1, 0)),
)

PASS_CASES = (
    Case("png, opaque", lambda d, f: _save(d / "plain.png", f)),
    Case("jpeg, opaque", lambda d, f: _save(d / "plain.jpg", f)),
    Case("gif, still", lambda d, f: _save(d / "plain.gif", f)),
    Case("tiff, one page", lambda d, f: _save(d / "plain.tif", f)),
    Case("mp4, one upright stream", lambda d, f: video(d / "plain.mp4", [[_small(f)] * 3])),
)
"""Ordinary files: read exactly as before (one view, the same pixels)."""

CLEAN_CASES = (
    Case("png, transparent logo", lambda d, f: logo(d / "logo.png", f)),
    Case("gif, two faceless frames", lambda d, f: animation(d / "grey.gif", [blank(f, 40), blank(f, 200)], "GIF")),
)
"""Files with transparency or frames and no face anywhere: no view may show one (no false alarm)."""


def logo(path: Path, like: np.ndarray) -> Path:
    """A red disc on a transparent background whose hidden colour is black, as most editors save it."""
    rgba = np.zeros((*like.shape[:2], 4), np.uint8)
    cv2.circle(rgba, (256, 256), 120, (220, 30, 30, 255), -1)
    Image.fromarray(rgba, "RGBA").save(path)
    return path


def _save(path: Path, rgb: np.ndarray) -> Path:
    Image.fromarray(rgb).save(path, quality=95) if path.suffix == ".jpg" else Image.fromarray(rgb).save(path)
    return path


def old_pictures(path: Path) -> list[np.ndarray]:
    """What Greenlight's readers exposed before issue 7: the first frame, or stream 0's first frame as stored."""
    from greenlight.media import load_image, media_kind, read_frames

    if media_kind(path) == "image":
        return [load_image(path)]
    return [next(iter(read_frames(path)))[1]]


def new_pictures(path: Path) -> list[np.ndarray]:
    """What the readers expose now: every view of an image; the first frame of every video stream, upright."""
    from greenlight.media import load_views, media_kind, read_frames, video_stream_count

    if media_kind(path) == "image":
        return [v.rgb for v in load_views(path)]
    return [next(iter(read_frames(path, s)))[1] for s in range(video_stream_count(path))]


def with_cover(path: Path, frames: list[np.ndarray], cover: np.ndarray) -> Path:
    """An MP4 with one moving stream and cover art (an attached MJPEG picture), as music videos carry."""
    import av

    with av.open(str(path), "w") as out:
        moving = out.add_stream("libx264", rate=10)
        moving.height, moving.width = frames[0].shape[:2]
        moving.pix_fmt = "yuv420p"
        art = out.add_stream("mjpeg")
        art.height, art.width = cover.shape[:2]
        art.pix_fmt = "yuvj420p"
        art.disposition = av.stream.Disposition.attached_pic
        for index, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = index
            out.mux(moving.encode(frame))
        picture = av.VideoFrame.from_ndarray(cover, format="rgb24").reformat(format="yuvj420p")
        picture.pts = 0
        out.mux(art.encode(picture))
        out.mux(art.encode(None))
        out.mux(moving.encode(None))
    return path
