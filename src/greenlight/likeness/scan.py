"""Scanning images and videos for faces and identifying them: what the likeness guards call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from greenlight.domain.scan import FaceFinding, ScanResult
from greenlight.likeness.faces import FaceAnalyzer
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.keyframes import KEYFRAME_INTERVAL, scan_frames
from greenlight.likeness.perframe import scan_frames_exhaustively
from greenlight.media.files import file_sha256
from greenlight.media.frames import DecodedFrame
from greenlight.media.images import load_image
from greenlight.media.sniff import media_kind
from greenlight.media.video import decode_frames, probe_video

Progress = Callable[[int, int], None]
"""Called as ``progress(frames_done, frames_total)`` after each frame."""


def scan_image(path: str | Path, gallery: Gallery, analyzer: FaceAnalyzer) -> ScanResult:
    """Find and identify every face on an image.

    Args:
        path: an image file.
        gallery: the enrolled references to identify against.
        analyzer: the face analyzer.

    Returns:
        A ``ScanResult`` with one ``FaceFinding`` per face, left to right.

    Raises:
        MediaError: the file cannot be read as an image.
    """
    rgb = load_image(path)
    faces = tuple(FaceFinding(box, gallery.identify(analyzer.embed(rgb, box))) for box in analyzer.detect(rgb))
    height, width = rgb.shape[:2]
    return ScanResult(path=str(path), sha256=file_sha256(path), media="image", width=width, height=height,
                      faces=faces)


def scan_video(path: str | Path, gallery: Gallery, analyzer: FaceAnalyzer, progress: Progress | None = None,
               keyframe_interval: int = KEYFRAME_INTERVAL) -> ScanResult:
    """Find, follow and identify every face through a video (keyframe detection + local tracking).

    Covers every face-frame that ``scan_video_per_frame`` finds, at a tenth of its cost or less (see
    ``greenlight.likeness.keyframes`` for how, and docs/benchmarks.md for the measurements).

    Args:
        path: a video file.
        gallery: the enrolled references to identify against.
        analyzer: the face analyzer.
        progress: optional ``progress(frames_done, frames_total)`` callback.
        keyframe_interval: frames between full-frame detections.

    Returns:
        A ``ScanResult`` with one ``FaceTrack`` per face appearance; a track has a box on every frame
        from its first to its last (interpolated across frames where detection flickered).

    Raises:
        MediaError: the file is not a readable video, or is truncated.
    """
    return _scan_video(path, progress, lambda frames: scan_frames(frames, analyzer, gallery, keyframe_interval))


def scan_video_per_frame(path: str | Path, gallery: Gallery, analyzer: FaceAnalyzer,
                         progress: Progress | None = None) -> ScanResult:
    """The exhaustive baseline: detect, fit landmarks and embed on every frame, tracks by overlap.

    Args and Raises: as ``scan_video``.

    Returns:
        A ``ScanResult`` whose tracks have boxes only on frames where the face was detected.
    """
    return _scan_video(path, progress, lambda frames: scan_frames_exhaustively(frames, analyzer, gallery))


def scan_file(path: str | Path, gallery: Gallery, analyzer: FaceAnalyzer,
              progress: Progress | None = None) -> ScanResult:
    """Scan an image or a video, whichever the file's bytes say it is.

    Raises:
        MediaError: the file is neither a readable image nor a readable video.
    """
    if media_kind(path) == "image":
        result = scan_image(path, gallery, analyzer)
        if progress is not None:
            progress(1, 1)
        return result
    return scan_video(path, gallery, analyzer, progress)


def _scan_video(path: str | Path, progress: Progress | None, run) -> ScanResult:
    info = probe_video(path)
    counted: list[int] = []
    tracks = run(_counting(decode_frames(path), info.frame_count, progress, counted))
    return ScanResult(path=str(path), sha256=file_sha256(path), media="video", width=info.width,
                      height=info.height, frame_count=counted[0] if counted else 0, fps=info.fps,
                      tracks=tuple(tracks))


def _counting(frames: Iterator[DecodedFrame], total: int, progress: Progress | None,
              counted: list[int]) -> Iterator[DecodedFrame]:
    done = 0
    for item in frames:
        yield item
        done += 1
        if progress is not None:
            progress(done, max(total, done))
    counted.append(done)
