"""Scanning images and videos for faces and identifying them: what the likeness guards call."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from greenlight.domain.scan import FaceFinding, ScanResult
from greenlight.likeness import detector
from greenlight.likeness.everyframe import SWEEP_INTERVAL, scan_frames_every
from greenlight.likeness.faces import FaceAnalyzer
from greenlight.likeness.framefeed import frame_feed
from greenlight.likeness.framepass import passes_on
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.keyframes import scan_frames
from greenlight.likeness.perframe import scan_frames_exhaustively
from greenlight.media import images, video
from greenlight.media.files import file_sha256
from greenlight.media.frames import DecodedFrame
from greenlight.media.sniff import media_kind

Progress = Callable[[int, int], None]
"""Called as ``progress(frames_done, frames_total)`` after each frame."""


def scan_image(path: str | Path, gallery: Gallery, analyzer: FaceAnalyzer) -> ScanResult:
    """Find and identify every face on an image: every frame or page of it, as it is displayed.

    Faces are found by ``greenlight.likeness.detector.find_faces`` (upright or turned, small, in
    profile, partly hidden, in a negative); each is identified on its upright crop. A face that matches
    no reference is reported as unknown, never dropped.

    Args:
        path: an image file.
        gallery: the enrolled references to identify against.
        analyzer: the face analyzer.

    Returns:
        A ``ScanResult`` with one ``FaceFinding`` per face (``page`` says on which frame or page), in
        page order, left to right.

    Raises:
        MediaError: the file cannot be read as an image.
    """
    views = _views(path)
    faces: list[FaceFinding] = []
    for page, rgb in _distinct_pages(views):
        for face in detector.find_faces(rgb, analyzer):
            identity = gallery.identify(*detector.embeddings(rgb, face, analyzer))
            faces.append(FaceFinding(face.box, identity, page))
    height, width = views[0][1].shape[:2]
    return ScanResult(path=str(path), sha256=file_sha256(path), media="image", width=width, height=height,
                      faces=tuple(faces))


def scan_video(path: str | Path, gallery: Gallery, analyzer: FaceAnalyzer, progress: Progress | None = None,
               keyframe_interval: int = SWEEP_INTERVAL) -> ScanResult:
    """Find, follow and identify every face through every video stream of a file.

    A BlazeFace detection pass runs on every frame, a fine sweep (small and rotated faces) every
    ``keyframe_interval`` frames and on every cut, and dlib's identity embedding only when a track
    starts or may have changed (see ``greenlight.likeness.everyframe``; docs/benchmarks.md measures it
    against ``scan_video_per_frame``). On a machine with a second core the whole-frame passes and sweeps
    run ahead in a worker process (``greenlight.likeness.framefeed``); the tracks are the same.

    Args:
        path: a video file.
        gallery: the enrolled references to identify against.
        analyzer: the face analyzer.
        progress: optional ``progress(frames_done, frames_total)`` callback.
        keyframe_interval: frames between fine sweeps.

    Returns:
        A ``ScanResult`` with one ``FaceTrack`` per face appearance (``stream`` says in which video
        stream); a track has a box on every frame from its first to its last.

    Raises:
        MediaError: the file is not a readable video, or is truncated.
    """
    def run(frames, stream):
        # The worker decodes the stream on its own; it is forked before this process's decoder opens.
        with frame_feed(lambda: _decode(path, stream), keyframe_interval) as feed:
            tracks = scan_frames_every(frames, analyzer, gallery, keyframe_interval, stream, feed or passes_on)
            analyzer.stats["passes_ahead"] += feed.taken if feed is not None else 0
            return tracks

    return _scan_video(path, progress, run)


def scan_video_keyframes(path: str | Path, gallery: Gallery, analyzer: FaceAnalyzer,
                         progress: Progress | None = None, keyframe_interval: int = 15) -> ScanResult:
    """The earlier dlib scan (HOG on keyframes, local tracking between), kept for the benchmark."""
    return _scan_video(path, progress, lambda frames, _: scan_frames(frames, analyzer, gallery, keyframe_interval))


def scan_video_per_frame(path: str | Path, gallery: Gallery, analyzer: FaceAnalyzer,
                         progress: Progress | None = None) -> ScanResult:
    """The exhaustive baseline: detect, fit landmarks and embed on every frame, tracks by overlap.

    Args and Raises: as ``scan_video``.

    Returns:
        A ``ScanResult`` whose tracks have boxes only on frames where the face was detected.
    """
    return _scan_video(path, progress, lambda frames, _: scan_frames_exhaustively(frames, analyzer, gallery))


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
    streams = _stream_count(path)
    infos = [_probe(path, n) for n in range(streams)]
    total = sum(i.frame_count for i in infos)
    counted: list[int] = []
    tracks: list = []
    for stream in range(streams):
        done_before = sum(counted)
        frames = _counting(_decode(path, stream), total, progress, counted, done_before)
        tracks += run(frames, stream)
    if streams > 1:  # numbered through the file, stream by stream
        tracks = [replace(t, track_id=n) for n, t in enumerate(tracks, start=1)]
    info = infos[0]
    return ScanResult(path=str(path), sha256=file_sha256(path), media="video", width=info.width,
                      height=info.height, frame_count=counted[0] if counted else 0, fps=info.fps,
                      tracks=tuple(tracks))


# Where greenlight.media offers them, every page of a still and every stream of a video are scanned
# (load_views, video_stream_count, stream= arguments); with an older media package, the first only.

def _views(path: str | Path) -> list[tuple[int, np.ndarray]]:
    load_views = getattr(images, "load_views", None)
    if load_views is None:
        return [(0, images.load_image(path))]
    return [(view.page, view.rgb) for view in load_views(path)]


def _distinct_pages(views: list[tuple[int, np.ndarray]]) -> Iterator[tuple[int, np.ndarray]]:
    # A page with transparency comes twice (over white and over black); identical pictures once.
    seen: set[bytes] = set()
    for page, rgb in views:
        key = hashlib.sha256(np.ascontiguousarray(rgb).tobytes()).digest()
        if key not in seen:
            seen.add(key)
            yield page, rgb


def _stream_count(path: str | Path) -> int:
    count = getattr(video, "video_stream_count", None)
    return max(1, count(path)) if count is not None else 1


def _probe(path: str | Path, stream: int):
    return video.probe_video(path, stream=stream) if stream else video.probe_video(path)


def _decode(path: str | Path, stream: int) -> Iterator[DecodedFrame]:
    return video.decode_frames(path, stream=stream) if stream else video.decode_frames(path)


def _counting(frames: Iterator[DecodedFrame], total: int, progress: Progress | None,
              counted: list[int], before: int = 0) -> Iterator[DecodedFrame]:
    done = 0
    for item in frames:
        yield item
        done += 1
        if progress is not None:
            progress(before + done, max(total, before + done))
    counted.append(done)
