"""Picture of a 4x shadow lift of a marked dark flat frame (night sky, black curtain): is the mark visible?

A colourist lifting the shadows multiplies the dark code values; a mark that hides at 8-bit code values
10-30 can show there as mottling. This writes ``docs/images/watermark_shadow_lift.png``: for each frame,
the unmarked frame, the frame marked by ``--before`` (another watermark module, e.g. the first design
saved from git), and the frame marked by the current code, each lifted 4x, cropped to 480x270 and shown
at 1:1; and prints the residual RMS of each.

Usage:
    git show <old commit>:src/greenlight/provenance/watermark.py > /tmp/old_watermark.py
    PYTHONPATH=src:. .venv/bin/python bench/shadow_lift.py --before /tmp/old_watermark.py
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.provenance.attacks import dark_flat_frames  # noqa: E402

from greenlight.provenance import asset_payload  # noqa: E402
from greenlight.provenance import watermark as current  # noqa: E402

LIFT = 4.0
CROP = (slice(400, 670), slice(700, 1180))  # 480x270 from the middle of the frame


def lift(rgb: np.ndarray) -> np.ndarray:
    """The shadows multiplied by ``LIFT`` (what a grade's lift/gain does to a night sky)."""
    return np.clip(rgb.astype(np.float32) * LIFT, 0, 255).astype(np.uint8)


def rms(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a.astype(np.float64) - b) ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, help="a watermark module to compare with (the first design)")
    parser.add_argument("--out", type=Path, default=Path("docs/images/watermark_shadow_lift.png"))
    args = parser.parse_args()
    embedders = {}
    if args.before:
        spec = importlib.util.spec_from_file_location("watermark_before", args.before)
        before = importlib.util.module_from_spec(spec)
        sys.modules["watermark_before"] = before  # dataclasses look their module up
        spec.loader.exec_module(before)
        embedders["first design"] = before.embed
    embedders["perceptual masking (now)"] = current.embed
    payload = asset_payload("asset_shadow_lift")
    rows = []
    for name, frame in dark_flat_frames().items():
        panels = [("unmarked", frame)]
        for label, embed in embedders.items():
            marked = embed(frame, payload)
            print(f"{name}, {label}: residual RMS {rms(marked, frame):.2f} code values")
            panels.append((f"{label}, RMS {rms(marked, frame):.2f}", marked))
        rows.append([(f"{name}: {label}", lift(rgb)[CROP]) for label, rgb in panels])
    h, w = rows[0][0][1].shape[:2]
    sheet = Image.new("RGB", (w * len(rows[0]) + 8 * (len(rows[0]) - 1), (h + 24) * len(rows)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for r, row in enumerate(rows):
        for c, (label, tile) in enumerate(row):
            x, y = c * (w + 8), r * (h + 24)
            draw.text((x + 4, y + 6), f"{label} (x{LIFT:g} lift)", fill=(0, 0, 0))
            sheet.paste(Image.fromarray(tile), (x, y + 24))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
