"""The exhaustive video scan: detect, fit landmarks and embed on every frame; group by overlap.

Slow (about 7 fps on 640×360 with two CPU cores) and simple, it is the reference that Greenlight's
keyframe scan is measured against: every face-frame found here must be covered by a keyframe track.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from greenlight.domain.scan import FaceTrack
from greenlight.likeness.faces import FaceAnalyzer
from greenlight.likeness.frames import Frame, as_frames
from greenlight.likeness.gallery import Gallery
from greenlight.likeness.keyframes import MAX_CONFIRM_ATTEMPTS, MAX_MISSES
from greenlight.likeness.shots import CutDetector
from greenlight.likeness.tracks import TrackBuilder, best_match


def scan_frames_exhaustively(frames: Iterable[Frame | tuple[int, np.ndarray]], analyzer: FaceAnalyzer,
                             gallery: Gallery) -> list[FaceTrack]:
    """Detect and embed every face on every frame, then link detections into tracks.

    A detection joins the track whose last box overlaps it, if that track was seen within
    ``MAX_MISSES`` frames in the same shot. A track counts as a face once the CNN confirms one of its
    detections (tried on its first detection and on later ones that score higher, up to
    ``MAX_CONFIRM_ATTEMPTS``); its identity is that of the mean of all its embeddings.

    Returns:
        Confirmed tracks, with boxes only on the frames where the face was detected.
    """
    cuts = CutDetector()
    open_tracks: list[TrackBuilder] = []
    done: list[TrackBuilder] = []
    for frame in as_frames(frames):
        index, gray, rgb = frame.index, frame.gray(), frame.rgb()
        if cuts.is_cut(gray):
            done.extend(open_tracks)
            open_tracks = []
        for candidate in analyzer.candidates(gray):
            live = [t for t in open_tracks if index - t.last_frame <= MAX_MISSES + 1 and index not in t.boxes]
            track = best_match(live, candidate.box, index)
            best_before = track.best_score if track is not None else float("-inf")
            if track is None:
                track = TrackBuilder(index, candidate.box, candidate.score)
                open_tracks.append(track)
            else:
                track.see(index, candidate.box, candidate.score)
            if (not track.confirmed and track.confirm_attempts < MAX_CONFIRM_ATTEMPTS
                    and (track.confirm_attempts == 0 or candidate.score > best_before)):
                track.confirm_attempts += 1
                track.confirmed = analyzer.confirm(rgb, candidate.box)
            track.add_embedding(index, analyzer.embed(rgb, candidate.box))
    done.extend(open_tracks)
    faces = sorted((t for t in done if t.confirmed), key=lambda t: (min(t.boxes), t.last_box.left))
    return [t.finish(n, gallery, fill_gaps=False) for n, t in enumerate(faces, start=1)]
