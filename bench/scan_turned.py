"""Recall corpus: a small face on its side or upside down, on screen only between two sweeps of a still shot.

Each clip is 70 frames of a textured still background (1920×1080, or 1280×720 for the 20 px faces); a
sample face (Obama, Biden, Eileen Collins), scaled to 20, 24 or 36 px wide and turned 90°, 180° or 270°,
is pasted at a random place on frames 35–54 only, so the sweeps (frames 0, 30 and 60) never see it and
only the crops of the change it makes can. A clip counts as found when the scan reports a track on the
face's place in frames 35–54. The 20 px clips need 1280×720: a 20 px face is the finest tiles' limit there.

Usage:
    .venv/bin/python bench/scan_turned.py [--faces DIR] [--seed 11]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from greenlight.likeness import FaceAnalyzer, Gallery
from greenlight.likeness.scan import scan_video
from greenlight.media.images import load_image
from greenlight.media.video import write_video

PHOTOS = ("obama/obama.jpg", "biden/biden.jpg", "eileen_collins/eileen_collins1.png")
SIZES = ((20, (720, 1280)), (24, (1080, 1920)), (36, (1080, 1920)))
ON = range(35, 55)


def background(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    noise = rng.normal(0, 12, (shape[0] // 8 + 1, shape[1] // 8 + 1, 3))
    return np.clip(140 + cv2.resize(noise, (shape[1], shape[0])), 0, 255).astype(np.uint8)


def head(rgb: np.ndarray, box, face_px: int, turns: int) -> np.ndarray:
    left, top, right, bottom = box
    pad = int(0.6 * (right - left))
    crop = rgb[max(0, top - pad):bottom + pad // 2, max(0, left - pad // 2):right + pad // 2]
    scale = face_px / (right - left)
    return np.ascontiguousarray(np.rot90(cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA),
                                         turns))


def clip(folder: Path, rgb: np.ndarray, box, face_px: int, shape, turns: int, rng) -> tuple[Path, tuple]:
    bare = background(shape, rng)
    small = head(rgb, box, face_px, turns)
    y = int(rng.integers(0, shape[0] - small.shape[0]))
    x = int(rng.integers(0, shape[1] - small.shape[1]))
    shown = bare.copy()
    shown[y:y + small.shape[0], x:x + small.shape[1]] = small
    frames = [bare] * ON.start + [shown] * len(ON) + [bare] * 15
    path = write_video(folder / f"clip_{face_px}_{turns}_{x}_{y}.mp4", frames, 24)
    return path, (x, y, x + small.shape[1], y + small.shape[0])


def found(tracks, place) -> bool:
    x0, y0, x1, y1 = place
    return any(f in ON and x0 <= (b.left + b.right) / 2 <= x1 and y0 <= (b.top + b.bottom) / 2 <= y1
               for t in tracks for f, b in t.boxes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, default=Path(os.environ.get("GREENLIGHT_FACES", "")))
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    analyzer = FaceAnalyzer()
    gallery = Gallery([], {})
    rng = np.random.default_rng(args.seed)
    hits, missed, started = 0, [], time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for photo in PHOTOS:
            rgb = load_image(args.faces / photo)
            box = max(analyzer.detect(rgb), key=lambda b: b.width)
            for face_px, shape in SIZES:
                for turns in (1, 2, 3):
                    path, place = clip(Path(tmp), rgb, (box.left, box.top, box.right, box.bottom), face_px, shape,
                                       turns, rng)
                    ok = found(scan_video(path, gallery, analyzer).tracks, place)
                    hits += ok
                    if not ok:
                        missed.append(f"{photo.split('/')[0]} {face_px} px {shape[1]}×{shape[0]} {90 * turns}°")
                    print(f"{photo.split('/')[0]:15s} {face_px} px {shape[1]}×{shape[0]} {90 * turns:3d}°: "
                          f"{'found' if ok else 'MISSED'}", flush=True)
    total = len(PHOTOS) * len(SIZES) * 3
    print(f"found {hits}/{total} in {time.perf_counter() - started:.0f} s; missed: {', '.join(missed) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
