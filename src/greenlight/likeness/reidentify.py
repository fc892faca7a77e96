"""When a followed face is embedded (again): identity embeddings cost ~90 ms each on a CPU core.

A track is embedded when it starts (on a few frames spread over what is known of it), when its face
grows, jumps or reappears after a gap (it may be someone else), and, while its identity is
uncertain, every ``REIDENTIFY_FRAMES`` frames. Uncertain means the track's mean embedding (which
decides its identity) lies within ``UNCERTAIN_MARGIN / sqrt(n)`` of the match threshold after ``n``
embeddings: one face's distance to its reference wanders by ~0.05 from frame to frame, so the band
narrows as the mean settles.
"""

from __future__ import annotations

import math

import numpy as np

from greenlight.likeness.gallery import MATCH_THRESHOLD, Gallery
from greenlight.likeness.tracks import SAME_FACE_IOU, TrackBuilder

START_SAMPLES = 3
"""Frames a new track is embedded on (the keyframe and earlier frames found by the backward search)."""
REIDENTIFY_FRAMES = 10
"""While a track's identity is uncertain, it is embedded again this often."""
UNCERTAIN_MARGIN = 0.1
"""Half-width of the uncertain band around ``MATCH_THRESHOLD`` after one embedding."""
RESCALE_RATIO = 1.4
"""A face that grew by this factor since its last embedding is embedded again (it is seen better)."""
REAPPEAR_GAP = 5
"""A face found again after this many frames unseen is embedded again (someone may have stepped in)."""


def start_frames(track: TrackBuilder, available: set[int]) -> list[int]:
    """Up to ``START_SAMPLES`` frames of a new track to embed, spread over its detections on ``available``."""
    usable = sorted(f for f in track.boxes if f in available)
    if len(usable) <= START_SAMPLES:
        return usable
    step = (len(usable) - 1) / (START_SAMPLES - 1)
    return sorted({usable[round(i * step)] for i in range(START_SAMPLES)})


def needs_embedding(track: TrackBuilder, index: int, gallery: Gallery) -> bool:
    """Whether the track, detected on frame ``index``, should be embedded there."""
    if track.embedded_at is None:
        return True
    frame, box = track.embedded_at
    now = track.boxes[index]
    if max(now.width, 1) / max(box.width, 1) > RESCALE_RATIO:
        return True  # grown: a better look than the last one (a shrunk face tells less, not more)
    if track.last_frame == index and track.gap > REAPPEAR_GAP:
        return True
    if track.last_frame == index and now.iou(track.previous_box) < SAME_FACE_IOU:
        return True  # jumped: the local search may have caught a neighbour
    return index - frame >= REIDENTIFY_FRAMES and uncertain(track, gallery)


def uncertain(track: TrackBuilder, gallery: Gallery) -> bool:
    """Whether more embeddings could still change who the track is."""
    mean = track.mean_embedding()
    if mean is None or not len(gallery):
        return False
    nearest = float(np.min(gallery.distances(mean)))
    return abs(nearest - MATCH_THRESHOLD) <= UNCERTAIN_MARGIN / math.sqrt(len(track.embeddings))
