"""Benchmark of the de-aging engine: speed, identity kept, wrinkles removed, flicker.

Runs the engine on the sample clip (640×360, Lin-Manuel Miranda, enrolled from one photo) and on a
1080p clip made from it, then measures on the talent's face, frame by frame, source against output:

* frames per second of the whole run (decode, find, follow, identify, retouch, encode with audio);
* identity distance between the source and the output face (dlib 128-d embedding at the same box);
* wrinkle energy (difference-of-Gaussians band) over the inner skin, and its change;
* flicker: motion-compensated mean frame-to-frame difference of the low-passed face.

Usage:
    .venv/bin/python bench/deage.py [--years 20] [--picture docs/images/deage_before_after.png]

The faces folder comes from GREENLIGHT_FACES (default /work/shared/data/faces).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from greenlight import media
from greenlight.domain import SubjectKind
from greenlight.engines.base import EngineRequest
from greenlight.engines.deage import DeageEngine
from greenlight.engines.deage.geometry import FaceFrame, box_from_landmarks, crop_box
from greenlight.engines.deage.metrics import aligned_difference, skin_core, wrinkle_energy
from greenlight.engines.deage.tracking import FaceTracker, talent_distance
from greenlight.likeness import reference_from_photo

FACES = Path(os.environ.get("GREENLIGHT_FACES", "/work/shared/data/faces"))
CLIP = FACES / "scenes" / "short_hamilton_clip.mp4"
REFERENCE = FACES / "lin_manuel_miranda" / "lin_manuel_miranda1.png"


def enrol(analyzer, path: Path) -> np.ndarray:
    """The talent's enrolled embeddings, as the studio enrols them: from one reference photo."""
    return np.asarray(reference_from_photo(path, SubjectKind.TALENT, "talent", analyzer).embedding)[None, :]


def make_1080(src: Path, dest: Path, start: int, count: int) -> Path:
    """Upscale ``count`` frames of ``src`` from ``start`` to 1920×1080 (bicubic)."""
    info = media.probe_video(src)
    frames = (cv2.resize(rgb, (1920, 1080), interpolation=cv2.INTER_CUBIC)
              for i, rgb in media.read_frames(src) if start <= i < start + count)
    return media.write_video(dest, frames, info.fps)


def run(engine: DeageEngine, clip: Path, talent: np.ndarray, years: int, workdir: Path) -> tuple[Path, float]:
    """Run the engine once; return the output and the wall time in seconds."""
    request = EngineRequest(inputs=(clip,), params={"talent_id": "talent", "years": years},
                            likeness={"talent": tuple(map(tuple, talent))})
    t0 = time.perf_counter()
    out = engine.run(request, workdir, lambda f, msg: None)[0].path
    return out, time.perf_counter() - t0


def measure(analyzer, src: Path, out: Path, talent: np.ndarray, id_every: int = 5) -> dict:
    """Compare source and output on the talent's face, frame by frame.

    Landmarks come from a fresh, independent tracking of the *source*, and are used for both
    source and output frames, so every measure compares like with like.
    """
    info = media.probe_video(src)
    tracker = FaceTracker(analyzer, talent, keyframe_every=max(2, round(info.fps / 4)), fps=info.fps)
    for i, rgb in media.read_frames(src):
        tracker.step(i, rgb)
    where = {}
    for t in tracker.talent_tracks(info.frame_count):
        for k, pts in enumerate(t.points):
            where[t.start + k] = (t.track_id, np.asarray(pts))
    energy_src, energy_out, ids, ref_src, ref_out, flick_src, flick_out = [], [], [], [], [], [], []
    prev = None
    for (i, a), (_, b) in zip(media.read_frames(src), media.read_frames(out), strict=True):
        if i not in where:
            prev = None
            continue
        tid, pts = where[i]
        region = skin_core(a.shape[:2], pts)
        energy_src.append(wrinkle_energy(a, pts, region))
        energy_out.append(wrinkle_energy(b, pts, region))
        if i % id_every == 0:
            box = box_from_landmarks(pts, a.shape[1], a.shape[0])
            ea, eb = analyzer.embed(a, box), analyzer.embed(b, box)
            ids.append(float(np.linalg.norm(np.asarray(ea) - np.asarray(eb))))
            ref_src.append(talent_distance(np.asarray(ea), talent))
            ref_out.append(talent_distance(np.asarray(eb), talent))
        if prev is not None and prev[0] == tid:
            flick_src.append(aligned_difference(prev[2], a, prev[1], pts, region))
            flick_out.append(aligned_difference(prev[3], b, prev[1], pts, region))
        prev = (tid, pts, a, b)
    es, eo = float(np.mean(energy_src)), float(np.mean(energy_out))
    return {
        "face_frames": len(energy_src),
        "identity_mean": float(np.mean(ids)), "identity_max": float(np.max(ids)),
        "ref_src": float(np.mean(ref_src)), "ref_out": float(np.mean(ref_out)),
        "energy_src": es, "energy_out": eo, "energy_change": eo / es - 1.0,
        "flicker_src": float(np.mean(flick_src)), "flicker_out": float(np.mean(flick_out)),
    }


def picture(analyzer, src: Path, out: Path, talent: np.ndarray, indices: list[int], dest: Path) -> Path:
    """Before/after sheet: the talent's face on each of ``indices`` enlarged side by side, then the
    whole of the last of those frames side by side."""
    wanted = set(indices)
    before = {i: rgb for i, rgb in media.read_frames(src) if i in wanted}
    after = {i: rgb for i, rgb in media.read_frames(out) if i in wanted}
    gap, width = 8, 560

    def pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.hstack([a, np.full((a.shape[0], gap, 3), 255, np.uint8), b])

    rows = []
    for i in indices:
        a, b = before[i], after[i]
        box = min(analyzer.detect(a), key=lambda f: talent_distance(analyzer.embed(a, f), talent))
        pts = analyzer.landmarks(a, box)
        crop = crop_box(pts, FaceFrame.from_landmarks(pts), a.shape[1], a.shape[0], margin=0.35)
        size = (width, round(crop.height * width / crop.width))
        rows.append(pair(*(cv2.resize(x[crop.top : crop.bottom, crop.left : crop.right], size,
                                      interpolation=cv2.INTER_LANCZOS4) for x in (a, b))))
    a, b = before[indices[-1]], after[indices[-1]]
    size = (width, round(width * a.shape[0] / a.shape[1]))
    rows.append(pair(*(cv2.resize(x, size, interpolation=cv2.INTER_AREA) for x in (a, b))))
    sheet = rows[0]
    for row in rows[1:]:
        sheet = np.vstack([sheet, np.full((gap, sheet.shape[1], 3), 255, np.uint8), row])
    for x, label in ((12, "source"), (width + gap + 12, "de-aged")):
        cv2.putText(sheet, label, (x, 34), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 4, cv2.LINE_AA)
        cv2.putText(sheet, label, (x, 34), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2, cv2.LINE_AA)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return media.save_image(dest, sheet)


def _row(label: str, m: dict) -> str:
    return (f"| {label} | {m['face_frames']} | {m['identity_mean']:.3f} / {m['identity_max']:.3f} "
            f"| {m['ref_src']:.3f} → {m['ref_out']:.3f} "
            f"| {m['energy_src'] * 1e4:.2f} → {m['energy_out'] * 1e4:.2f} ({m['energy_change']:+.0%}) "
            f"| {m['flicker_src'] * 1e3:.2f} → {m['flicker_out'] * 1e3:.2f} |")


HEADER = ("face frames | identity src→out mean / max | to enrolment src → out | wrinkle energy ×1e-4 src → out "
          "| flicker ×1e-3 src → out |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--sweep", action="store_true", help="also run the 360p clip at 5, 10 and 30 years")
    parser.add_argument("--picture", type=Path, help="write the before/after picture here")
    parser.add_argument("--frames", default="154,200", help="clip frames for the picture, comma-separated")
    args = parser.parse_args()
    engine = DeageEngine()
    analyzer = engine.analyzer
    talent = enrol(analyzer, REFERENCE)
    rows, sweep = [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big = make_1080(CLIP, work / "clip1080.mp4", start=100, count=60)
        for name, clip in (("640×360, 275 frames", CLIP), ("1920×1080, 60 frames (100–159)", big)):
            out, seconds = run(engine, clip, talent, args.years, work / name.split(",")[0])
            n = media.probe_video(out).frame_count
            rows.append((name, n / seconds, measure(analyzer, clip, out, talent)))
            if args.picture and clip == CLIP:
                picture(analyzer, CLIP, out, talent, [int(i) for i in args.frames.split(",")], args.picture)
        # Control: the clip only decoded and re-encoded (CRF 18), to show each measure's floor.
        plain = media.write_video(work / "plain.mp4", (rgb for _, rgb in media.read_frames(CLIP)),
                                  media.probe_video(CLIP).fps)
        control = measure(analyzer, CLIP, plain, talent)
        if args.sweep:
            sweep.append((args.years, rows[0][2]))
            for years in (5, 10, 30):
                out, _ = run(engine, CLIP, talent, years, work / f"sweep{years}")
                sweep.append((years, measure(analyzer, CLIP, out, talent)))
    print(f"years={args.years}")
    print("| clip | frames/s | " + HEADER)
    print("| --- " * 7 + "|")
    for name, fps, m in rows:
        print(_row(f"{name} | {fps:.1f}", m))
    print(_row("640×360 re-encoded only (control) | –", control))
    if sweep:
        print("\n| years (640×360 clip) | " + HEADER)
        print("| --- " * 6 + "|")
        for years, m in sorted(sweep, key=lambda r: r[0]):
            print(_row(str(years), m))


if __name__ == "__main__":
    main()
