"""Scenes the tests make from the sample stills: a two-shot photo and a cut-together clip with sound.

The sample cache holds portraits only (Barack Obama, Joe Biden, the astronaut Eileen Collins). What a
guard must also see — two people in one frame, a zoom, a pan, cuts, a face that enters for a few
frames — is composed here from those portraits, with what is on screen known frame by frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from greenlight.media import load_image, save_image, write_video

WIDTH, HEIGHT, FPS = 640, 360, 30
# The built clip, shot by shot (frame numbers). A cut is the first frame of a new shot.
ZOOM = range(0, 60)  # Eileen Collins alone: a wide shot (~50 px face) zooming in to a close-up
TWO_SHOT = range(60, 100)  # Barack Obama and Joe Biden side by side, the camera panning across them
CLOSE_UP = range(100, 160)  # Eileen Collins again, panning; Barack Obama steps into the frame for a moment
ENTERS = range(140, 152)  # Obama's head slides in from the right edge (140–143), then stays (144–151)
CUTS = (TWO_SHOT.start, CLOSE_UP.start)
FRAMES = CLOSE_UP.stop


@dataclass(frozen=True)
class Clip:
    """A clip and what is on it: who must be tracked (and named) on which frames, and who must not."""

    path: Path
    frame_count: int
    size: tuple[int, int]
    fps: float
    cuts: tuple[int, ...]
    on_screen: dict[str, frozenset[int]]  # subject id → frames a track of theirs must cover
    off_screen: dict[str, frozenset[int]]  # subject id → frames no track of theirs may cover
    maybe: dict[str, range] = field(default_factory=dict)  # subject id → shot where they may be named, or not
    lead: str = "eileen_collins"  # the talent the clip is about
    lead_alone: range = ZOOM  # frames where only the lead is on screen, facing the camera
    min_face_frames: int = 0  # face-frames an exhaustive per-frame scan finds, at least

    def allowed(self, first_frame: int) -> set[str | None]:
        """Who a track starting on ``first_frame`` may be: anyone on screen, a maybe in their shot, nobody."""
        return {*self.on_screen, None} | {sid for sid, shot in self.maybe.items() if first_frame in shot}


def built_clip(path: Path, faces: Path, analyzer) -> Clip:
    """The cut-together clip (640×360, 30 fps, 160 frames, H.264 with a 440 Hz tone) and its script."""
    if not path.is_file():
        tone = _tone(path.with_name("tone.m4a"), FRAMES / FPS)
        write_video(path, _frames(faces, analyzer), FPS, audio_from=tone, preset="veryfast")
    entered = frozenset(range(ENTERS.start + 4, ENTERS.stop))
    return Clip(
        path=path, frame_count=FRAMES, size=(WIDTH, HEIGHT), fps=FPS, cuts=CUTS,
        on_screen={"eileen_collins": frozenset(ZOOM) | frozenset(CLOSE_UP), "obama": frozenset(TWO_SHOT) | entered,
                   "biden": frozenset(TWO_SHOT)},
        off_screen={"eileen_collins": frozenset(TWO_SHOT), "biden": frozenset(ZOOM) | frozenset(CLOSE_UP),
                    "obama": frozenset(ZOOM) | frozenset(range(CLOSE_UP.start, ENTERS.start))},
        min_face_frames=len(ZOOM) + 2 * len(TWO_SHOT) + len(CLOSE_UP) + len(entered),
    )


def hamilton_clip(path: Path) -> Clip:
    """The studio's real footage: Lin-Manuel Miranda on stage; Alex Lacamoire in profile on frames 20–81."""
    lin = frozenset(range(0, 20)) | frozenset(range(82, 211))
    return Clip(path=path, frame_count=275, size=(640, 360), fps=29.97, cuts=(20, 82, 211),
                on_screen={"lin_manuel_miranda": lin}, off_screen={"lin_manuel_miranda": frozenset(range(20, 82))},
                maybe={"alex_lacamoire": range(20, 82)}, lead="lin_manuel_miranda", lead_alone=range(82, 211),
                min_face_frames=180)


def two_shot(path: Path, faces: Path, analyzer) -> Path:
    """Barack Obama and Joe Biden side by side (1280×720 JPEG), each face about 170 px wide."""
    if not path.is_file():
        save_image(path, _two_shot_canvas(faces, analyzer), quality=92)
    return path


def head(rgb: np.ndarray, analyzer, face_px: int) -> np.ndarray:
    """The head and shoulders around the one face in ``rgb``, scaled so the face is ``face_px`` wide."""
    box = analyzer.detect(rgb)[0]
    pad = int(0.6 * box.width)
    crop = rgb[max(0, box.top - pad):box.bottom + pad // 2, max(0, box.left - pad // 2):box.right + pad // 2]
    scale = face_px / box.width
    return cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def wall(height: int, width: int, seed: int) -> np.ndarray:
    """A softly textured grey-brown wall: no faces, some detail for the encoder and the detectors."""
    rng = np.random.default_rng(seed)
    noise = cv2.resize(rng.normal(0, 18, (height // 16 + 1, width // 16 + 1, 3)), (width, height))
    return np.clip(np.array([150, 138, 120]) + noise, 0, 255).astype(np.uint8)


def paste(canvas: np.ndarray, patch: np.ndarray, x: int, y: int) -> np.ndarray:
    """``patch`` over ``canvas`` with its top-left at (x, y), clipped to the canvas."""
    h, w = canvas.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + patch.shape[1], w), min(y + patch.shape[0], h)
    if x0 < x1 and y0 < y1:
        canvas[y0:y1, x0:x1] = patch[y0 - y:y1 - y, x0 - x:x1 - x]
    return canvas


def _two_shot_canvas(faces: Path, analyzer) -> np.ndarray:
    canvas = wall(720, 1280, seed=11)
    obama = head(load_image(faces / "obama" / "obama.jpg"), analyzer, 170)
    biden = head(load_image(faces / "biden" / "biden.jpg"), analyzer, 170)
    paste(canvas, obama, 420 - obama.shape[1] // 2, 120)
    return paste(canvas, biden, 860 - biden.shape[1] // 2, 130)


def _stage(faces: Path) -> tuple[np.ndarray, tuple[int, int]]:
    """The astronaut's photo hung on a wide wall, and where her face's centre is on it."""
    canvas = wall(720, 1280, seed=5)
    paste(canvas, load_image(faces / "eileen_collins" / "eileen_collins1.png"), 384, 104)
    return canvas, (384 + 220, 104 + 121)


def _window(canvas: np.ndarray, cx: float, cy: float, width: float) -> np.ndarray:
    """The 640×360 view of ``canvas`` centred near (cx, cy), ``width`` canvas pixels wide."""
    height = width * HEIGHT / WIDTH
    x = int(np.clip(cx - width / 2, 0, canvas.shape[1] - width))
    y = int(np.clip(cy - height / 2, 0, canvas.shape[0] - height))
    view = canvas[y:y + int(height), x:x + int(width)]
    return cv2.resize(view, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)


def _frames(faces: Path, analyzer):
    stage, (fx, fy) = _stage(faces)
    pair = _two_shot_canvas(faces, analyzer)
    visitor = head(load_image(faces / "obama" / "obama2.jpg"), analyzer, 100)
    for i in ZOOM:  # 1120 → 480 canvas px wide: the face grows from ~52 to ~120 px
        t = i / (len(ZOOM) - 1)
        yield _window(stage, fx - 80 * (1 - t), fy + 40 * (1 - t), 1120 - 640 * t)
    for i in TWO_SHOT:  # a pan from left to right across both of them
        t = (i - TWO_SHOT.start) / (len(TWO_SHOT) - 1)
        yield _window(pair, 480 + 160 * t, 330, 960)
    for i in CLOSE_UP:  # a slow pan right to left; then Obama slides in from the right edge
        t = (i - CLOSE_UP.start) / (len(CLOSE_UP) - 1)
        frame = _window(stage, fx + 70 - 100 * t, fy + 30, 520)
        if i in ENTERS:
            x = WIDTH - min(i - ENTERS.start + 1, 4) * visitor.shape[1] // 4 - 2 * max(0, i - ENTERS.start - 3)
            paste(frame, visitor, x, 40)
        yield frame


def _tone(path: Path, seconds: float) -> Path:
    """An AAC file of a quiet 440 Hz tone, the clip's sound."""
    import av

    rate = 48000
    t = np.arange(int(rate * seconds)) / rate
    samples = (np.sin(2 * np.pi * 440 * t) * 0.2).astype(np.float32)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("aac", rate=rate)
        stream.layout = "mono"
        for start in range(0, len(samples), 1024):
            frame = av.AudioFrame.from_ndarray(samples[None, start:start + 1024], format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
