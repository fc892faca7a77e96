"""The two passes of a de-aging run: analyse (find and follow the talent), then render.

The analysis pass decodes the clip once, detects faces on keyframes, follows them with landmarks
and identifies each track; tracks that are the talent are then smoothed over their whole length
(so identity decided late in a track still applies from its first frame, and the smoothing has no
lag). The render pass decodes again and de-ages the talent's faces on each frame, streaming the
result to the encoder with the source audio. Only landmarks are kept between passes, never frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from greenlight.domain import Box
from greenlight.engines.base import Progress
from greenlight.engines.deage.render import FaceRefiner, FaceRenderer
from greenlight.engines.deage.retouch import Amounts
from greenlight.engines.deage.smoothing import smooth_track
from greenlight.engines.deage.tracking import FaceTracker, Track, fade_weights, talent_distance
from greenlight.likeness import MATCH_THRESHOLD, FaceAnalyzer
from greenlight.media import read_frames


@dataclass(frozen=True)
class TrackPlan:
    """One talent track ready to render: smoothed landmarks and a strength per frame."""

    track: Track
    points: np.ndarray  # (T, 68, 2)
    weights: np.ndarray  # (T,)

    def at(self, index: int) -> tuple[np.ndarray, float] | None:
        i = index - self.track.start
        if 0 <= i < len(self.points):
            return self.points[i], float(self.weights[i])
        return None


def plan_tracks(tracks: list[Track], frame_count: int, fps: float) -> list[TrackPlan]:
    """Smooth each talent track and give it fade-in/out weights (a quarter second each)."""
    ramp = max(1, round(fps / 4))
    plans = []
    for t in tracks:
        pts = np.asarray(t.points, dtype=np.float64)
        plans.append(TrackPlan(t, smooth_track(pts, fps), fade_weights(t.start, len(pts), frame_count, ramp)))
    return plans


def analyse_video(
    path: Path, tracker: FaceTracker, frame_count: int, fps: float, progress: Progress
) -> list[TrackPlan]:
    """Pass one: follow every face through the clip and plan the talent's tracks.

    Args:
        path: the clip.
        tracker: a tracker set up with the analyzer and the talent's embeddings.
        frame_count: frames expected (for progress only).
        fps: frames per second (for smoothing).
        progress: called with 0..1 of this pass.

    Returns:
        The talent's track plans (possibly empty).
    """
    seen = 0
    for index, rgb in read_frames(path):
        tracker.step(index, rgb)
        seen = index + 1
        if index % 25 == 0:
            progress(index / max(frame_count, 1), f"finding the talent: frame {index + 1}/{frame_count}")
    return plan_tracks(tracker.talent_tracks(seen), seen, fps)


def render_frames(path: Path, plans: list[TrackPlan], amounts: Amounts,
                  refiner: Callable[[], FaceRefiner] | None = None) -> Iterator[np.ndarray]:
    """Pass two: yield every frame of the clip, with the talent's face de-aged where planned.

    Args:
        path: the clip.
        plans: from :func:`analyse_video`.
        amounts: retouch strengths.
        refiner: makes one second pass per track (see ``render.FaceRefiner``); None: classical only.

    Yields:
        uint8 RGB frames, every one of the source's, in order.
    """
    renderers = [FaceRenderer(amounts, refiner() if refiner else None) for _ in plans]
    for index, rgb in read_frames(path):
        frame = rgb if rgb.flags.writeable else rgb.copy()
        for plan, renderer in zip(plans, renderers, strict=True):
            here = plan.at(index)
            if here is not None:
                renderer.render(frame, here[0], here[1])
        yield frame


def deage_image(
    rgb: np.ndarray, analyzer: FaceAnalyzer, talent: np.ndarray, amounts: Amounts,
    refiner: Callable[[], FaceRefiner] | None = None,
) -> tuple[np.ndarray, list[tuple[Box, float]]]:
    """De-age the talent's face(s) on one still; every other face is left exactly as it was.

    Args:
        rgb: the image, uint8 RGB.
        analyzer: the likeness layer's face analyzer.
        talent: (K, 128) the talent's enrolled embeddings.
        amounts: retouch strengths.
        refiner: makes the second pass for each face (see ``render.FaceRefiner``); None: classical only.

    Returns:
        (the new image, the (box, identity distance) of each face that was altered).
    """
    out = rgb.copy()
    altered = []
    for box in analyzer.detect(rgb):
        distance = talent_distance(analyzer.embed(rgb, box), talent)
        if distance <= MATCH_THRESHOLD:
            FaceRenderer(amounts, refiner() if refiner else None).render(out, analyzer.landmarks(rgb, box))
            altered.append((box, distance))
    return out, altered
