"""Benchmark of provenance: watermark robustness and invisibility, watermark speed, signing speed.

Prints Markdown tables:

* per image (skimage astronaut / coffee / chelsea, 1080p frames, and the sample face photos when
  GREENLIGHT_FACES is set): PSNR of the marked image, raw bit accuracy of the 64-bit codeword after each
  attack (clean, JPEG 75, 0.75x downscale, H.264 CRF 28; JPEG 50 and 0.5x beyond the targets), and
  whether the 48-bit payload was recovered exactly after every attack;
* the edits of issue 7 (crops, rotations, flips, borders, brightness; alone, with JPEG 80, combined;
  see tests/provenance/attacks.py): payload recovered exactly, per edit over the same images;
* unmarked pictures (and crops, flips, rotations and borders of them): payloads falsely recovered;
* residual RMS of the mark in synthetic dark flat frames (night sky, black curtain);
* clips marked end to end (decode, embed, x264 CRF 18 encode, audio copy), then re-encoded at H.264
  CRF 28: marking speed, per-frame bit accuracy, share of frames that decode alone, the 12-frame vote;
* clips under 480 lines (and one above), edited (crop, 2° turn, border, flip, brighter) and re-encoded at
  x264's default CRF 23: payloads read back, PSNR of the marked frames, marking time
  (``--small-clips`` prints only this table);
* milliseconds per 1080p frame to embed and to extract (unedited, edited so the search runs, unmarked);
* milliseconds per file to sign PNG, JPEG and MP4 with Content Credentials (and to read them back).

Usage:
    .venv/bin/python bench/provenance.py [--small-clips]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data

from greenlight.media import load_image, probe_video, read_frames, save_image, write_video
from greenlight.provenance import (
    ManifestSpec,
    SourceKind,
    asset_payload,
    embed_video,
    extract_video,
    init_keys,
    read_manifest,
    sign_file,
    watermark_sync,
)
from greenlight.provenance import watermark as wm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.provenance.attacks import ATTACKS as EDITS  # noqa: E402
from tests.provenance.attacks import dark_flat_frames, unmarked_corpus  # noqa: E402

PAYLOAD = asset_payload("asset_benchmark")
FACES = Path(os.environ["GREENLIGHT_FACES"]) if os.environ.get("GREENLIGHT_FACES") else None


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def scale(rgb: np.ndarray, factor: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    return cv2.resize(rgb, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_AREA)


def h264(rgb: np.ndarray, crf: int = 28, frames: int = 6) -> np.ndarray:
    """The middle frame of a short still clip encoded with x264 at ``crf``."""
    even = np.ascontiguousarray(rgb[: rgb.shape[0] // 2 * 2, : rgb.shape[1] // 2 * 2])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "still.mp4"
        write_video(path, [even] * frames, 24, crf=crf)
        return [f for i, f in read_frames(path) if i == frames // 2][0]


ATTACKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "clean": lambda x: x, "JPEG 75": lambda x: jpeg(x, 75), "0.75x": lambda x: scale(x, 0.75),
    "H.264 CRF 28": h264, "JPEG 50": lambda x: jpeg(x, 50), "0.5x": lambda x: scale(x, 0.5),
}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255**2 / np.mean((a.astype(np.float64) - b) ** 2)))


def test_images() -> dict[str, np.ndarray]:
    images = {"astronaut 512²": data.astronaut(), "coffee 600×400": data.coffee(), "chelsea 451×300": data.chelsea()}
    images["coffee 1080p"] = cv2.resize(data.coffee(), (1920, 1080), interpolation=cv2.INTER_CUBIC)
    halves = [cv2.resize(data.astronaut(), (960, 1080)), cv2.resize(data.chelsea(), (960, 1080))]
    images["astronaut+chelsea 1080p"] = np.concatenate(halves, axis=1)
    # A CG-like sky: a smooth gradient with film grain, where a mark is easiest to see and to lose.
    y, x = np.mgrid[0:1080, 0:1920].astype(np.float32)
    sky = np.stack([60 + 0.05 * x + 0.08 * y, 110 + 0.05 * y, 200 - 0.04 * y], -1)
    sky += np.random.default_rng(0).normal(0, 2, sky.shape)
    images["gradient sky 1080p"] = np.clip(sky, 0, 255).astype(np.uint8)
    if FACES:
        for folder in sorted(p for p in FACES.iterdir() if p.is_dir() and p.name != "scenes"):
            path = sorted(folder.iterdir())[0]
            images[f"{path.stem} {Image.open(path).width}px"] = load_image(path)
        clip = FACES / "scenes" / "short_hamilton_clip.mp4"
        frame = next(rgb for i, rgb in read_frames(clip) if i == 100)
        images["hamilton frame 1080p"] = cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_CUBIC)
    return images


def robustness_table(images: dict[str, np.ndarray]) -> None:
    print("| image | PSNR dB | " + " | ".join(ATTACKS) + " | payload exact |")
    print("|" + " --- |" * (len(ATTACKS) + 3))
    for name, rgb in images.items():
        marked = wm.embed(rgb, PAYLOAD)
        reads = [wm.extract(attack(marked), expected=PAYLOAD) for attack in ATTACKS.values()]
        exact = sum(r.payload == PAYLOAD for r in reads)
        cells = " | ".join(f"{r.bit_accuracy:.3f}" for r in reads)
        print(f"| {name} | {psnr(rgb, marked):.1f} | {cells} | {exact}/{len(reads)} |")
    print()


def edits_table(images: dict[str, np.ndarray]) -> None:
    marked = {name: wm.embed(rgb, PAYLOAD) for name, rgb in images.items()}
    print(f"| edit (issue 7) | payload exact, of {len(images)} images | lowest confidence when exact |")
    print("| --- | --- | --- |")
    total = 0
    for name, edit in EDITS.items():
        reads = [wm.extract(edit(rgb)) for rgb in marked.values()]
        exact = [r.confidence for r in reads if r.payload == PAYLOAD]
        total += len(exact)
        lowest = f"{min(exact):.2f}" if exact else ""
        print(f"| {name} | {len(exact)}/{len(reads)} | {lowest} |")
    print(f"\nAll edits: {total}/{len(EDITS) * len(images)} exact.\n")


def unmarked_line() -> None:
    corpus = unmarked_corpus()
    reads = [wm.extract(rgb) for rgb in corpus.values()]
    confidences = [r.confidence for r in reads]
    print(f"Unmarked pictures (with crops, flips, rotations, borders): {len(reads)}, confidence "
          f"{min(confidences):.2f}–{max(confidences):.2f} (claims from {watermark_sync.MIN_CONFIDENCE}, exact CRC "
          f"below {watermark_sync.CHASE_CONFIDENCE}), false payloads: {sum(r.found for r in reads)}.\n")


def flat_dark_line() -> None:
    for name, frame in dark_flat_frames().items():
        marked = wm.embed(frame, PAYLOAD)
        rms = float(np.sqrt(np.mean((marked.astype(np.float64) - frame) ** 2)))
        read = wm.extract(marked)
        print(f"Dark flat frame '{name}' 1080p: residual RMS {rms:.2f} code values, PSNR {psnr(frame, marked):.1f} dB, "
              f"payload {'read' if read.payload == PAYLOAD else 'not read'} from the frame alone.")
    print()


def pan_clip(path: Path, size: tuple[int, int], frames: int = 24) -> Path:
    """A camera pan (4 px right, 2 px down per frame) over the astronaut photo, H.264 CRF 18."""
    w, h = size
    src = cv2.resize(data.astronaut(), (w + frames * 4, h + frames * 2), interpolation=cv2.INTER_CUBIC)
    write_video(path, (np.ascontiguousarray(src[i * 2:i * 2 + h, i * 4:i * 4 + w]) for i in range(frames)), 24)
    return path


def video_table(tmp: Path) -> None:
    clips = {f"pan {w}×{h}": pan_clip(tmp / f"pan{w}.mp4", (w, h)) for w, h in ((320, 240), (640, 360), (1920, 1080))}
    if FACES:
        clips["hamilton 640×360 (real)"] = FACES / "scenes" / "short_hamilton_clip.mp4"
    print("| clip, marked then re-encoded at CRF 28 | frames | marking, frames/s (plain re-encode) "
          "| per-frame bit accuracy | frames decoded alone | 12-frame vote |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, clip in clips.items():
        marked, again = tmp / "marked.mp4", tmp / "crf28.mp4"
        t0 = time.perf_counter()
        count = embed_video(clip, marked, PAYLOAD)
        fps = count / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        write_video(tmp / "plain.mp4", (rgb for _, rgb in read_frames(clip)), probe_video(clip).fps)
        plain = count / (time.perf_counter() - t0)
        write_video(again, (rgb for _, rgb in read_frames(marked)), probe_video(marked).fps, crf=28)
        reads = [wm.extract(rgb, expected=PAYLOAD) for _, rgb in read_frames(again)]
        vote = extract_video(again, expected=PAYLOAD)
        ok = "exact" if vote.payload == PAYLOAD else "none"
        accuracy = statistics.mean(r.bit_accuracy for r in reads)
        print(f"| {name} | {len(reads)} | {fps:.0f} ({plain:.0f}) | {accuracy:.3f} "
              f"(min {min(r.bit_accuracy for r in reads):.3f}) | {sum(r.found for r in reads)}/{len(reads)} "
              f"| {ok}, {vote.bit_accuracy:.3f} |")
    print()


SMALL_CLIP_EDITS = {
    "re-encoded": lambda f: f,
    "crop 10%": EDITS["crop 10% centre"],
    "crop left+top": EDITS["crop 10% left+top"],
    "+2°": EDITS["rotate +2°"],
    "−2°": EDITS["rotate -2°"],
    "border": EDITS["screenshot border"],
    "flip": EDITS["flip horizontal"],
    "×1.25": EDITS["brighter x1.25"],
}


def small_clip_table(tmp: Path, payloads: int = 6) -> None:
    clips = {f"pan {w}×{h}": pan_clip(tmp / f"pan{w}.mp4", (w, h)) for w, h in ((384, 216), (320, 240), (640, 360))}
    if FACES and (FACES / "scenes" / "short_hamilton_clip.mp4").exists():
        clips["hamilton 640×360 (real)"] = FACES / "scenes" / "short_hamilton_clip.mp4"
    clips["pan 854×480"] = pan_clip(tmp / "pan854.mp4", (854, 480))
    print(f"| clip ({payloads} payloads), edited then re-encoded at CRF 23 | marking s | PSNR dB (min) | "
          + " | ".join(SMALL_CLIP_EDITS) + " |")
    print("| --- " * (3 + len(SMALL_CLIP_EDITS)) + "|")
    for name, clip in clips.items():
        source = [rgb for _, rgb in read_frames(clip)]
        fps = probe_video(clip).fps
        read, psnrs, seconds = dict.fromkeys(SMALL_CLIP_EDITS, 0), [], []
        for n in range(payloads):
            payload = asset_payload(f"asset_small_clip_{n}")
            t0 = time.perf_counter()
            embed_video(clip, tmp / "marked.mp4", payload)
            seconds.append(time.perf_counter() - t0)
            marked = [rgb for _, rgb in read_frames(tmp / "marked.mp4")]
            psnrs.append(statistics.mean(psnr(a, b) for a, b in zip(source, marked, strict=True)))
            for edit, fn in SMALL_CLIP_EDITS.items():
                edited = (_even(fn(rgb)) for rgb in marked)
                again = write_video(tmp / "edited.mp4", edited, fps, crf=23)
                read[edit] += extract_video(again).payload == payload
        print(f"| {name} | {statistics.median(seconds):.1f} | {statistics.mean(psnrs):.1f} ({min(psnrs):.1f}) | "
              + " | ".join(f"{read[e]}/{payloads}" for e in SMALL_CLIP_EDITS) + " |", flush=True)
    print()


def _even(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    return np.ascontiguousarray(rgb[:h - h % 2, :w - w % 2])


def best_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and best wall time of ``fn`` in milliseconds."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times)


def speed_table(images: dict[str, np.ndarray], tmp: Path) -> None:
    frame = images["astronaut+chelsea 1080p"]
    marked = wm.embed(frame, PAYLOAD)
    print("| step | median ms | best ms | frames or files per s (median) |")
    print("| --- | --- | --- | --- |")
    cropped = EDITS["crop 10% centre + JPEG 80"](marked)
    for name, fn, repeat in (("watermark embed, 1080p frame", lambda: wm.embed(frame, PAYLOAD), 30),
                             ("watermark extract, 1080p frame", lambda: wm.extract(marked), 30),
                             ("watermark extract, 1080p frame cropped 10 % + JPEG 80 (search)",
                              lambda: wm.extract(cropped), 5),
                             ("watermark extract, 1080p unmarked frame (full search, nothing found)",
                              lambda: wm.extract(frame), 5)):
        med, best = best_ms(fn, repeat)
        print(f"| {name} | {med:.1f} | {best:.1f} | {1000 / med:.0f} |")
    identity = init_keys(tmp / "keys", "Bench Studio")
    spec = ManifestSpec("bench", SourceKind.GENERATED, "bench")
    png, jpg = tmp / "in.png", tmp / "in.jpg"
    save_image(png, data.astronaut())
    save_image(jpg, images["coffee 1080p"], quality=90)
    mp4 = tmp / "in.mp4"
    write_video(mp4, [images["coffee 1080p"]] * 48, 24)
    for label, src in (("PNG 512²", png), ("JPEG 1080p", jpg), ("MP4 1080p 2 s", mp4)):
        dst = tmp / f"signed{src.suffix}"
        med, best = best_ms(lambda s=src, d=dst: sign_file(s, d, spec, identity), 10)
        size = f"{src.stat().st_size / 1e3:.0f} KB → +{(dst.stat().st_size - src.stat().st_size) / 1e3:.1f} KB"
        print(f"| sign {label} ({size}) | {med:.1f} | {best:.1f} | {1000 / med:.0f} |")
        med, best = best_ms(lambda d=dst: read_manifest(d, identity.root_pem), 10)
        print(f"| read + validate {label} | {med:.1f} | {best:.1f} | {1000 / med:.0f} |")
    print()


def main() -> None:
    cv2.setNumThreads(max(1, os.cpu_count() or 1))
    print(f"Machine: {os.cpu_count()} cores. Payload {PAYLOAD:#014x} (48 bits) + CRC-16.\n")
    if "--small-clips" in sys.argv[1:]:
        with tempfile.TemporaryDirectory() as tmp:
            small_clip_table(Path(tmp))
        return
    images = test_images()
    robustness_table(images)
    edits_table(images)
    unmarked_line()
    flat_dark_line()
    with tempfile.TemporaryDirectory() as tmp:
        video_table(Path(tmp))
        small_clip_table(Path(tmp))
        speed_table(images, Path(tmp))


if __name__ == "__main__":
    main()
