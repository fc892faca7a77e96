"""Benchmark of the collapse engine's EXR frames (`--exr`): what one 1080p frame costs to write, watermark,
sign with its sidecar manifest and verify, and how large it is.

The frame is a rendered collapse frame of the project's street plate (beauty plus four mattes). Each step
is timed over a few repetitions (median wall time and this process's CPU time: the machine is shared).

Usage:
    .venv/bin/python bench/collapse_exr.py [--size 1920x1080] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from greenlight.engines.collapse.fill import revealed_plate
from greenlight.engines.collapse.outline import polygon_mask
from greenlight.engines.collapse.params import CollapseParams
from greenlight.engines.collapse.shot import PASSES, Shot, prepare, render
from greenlight.engines.collapse.street import street_plate
from greenlight.media.exr import read_exr, write_exr
from greenlight.provenance import asset_payload, init_keys, mark_and_sign, read_manifest, read_watermark
from greenlight.provenance.spec import ManifestSpec, SourceKind


def a_frame(width: int, height: int):
    """One frame in the middle of the fall: pieces, debris and dust all on screen."""
    plate, outline = street_plate(width, height)
    params = CollapseParams.parse({"outline": outline, "start_frame": 1, "duration": 1.0, "fps": 12.0,
                                   "motion_blur": 2, "pieces": 60})
    mask = polygon_mask(params.outline, width, height, "outline.json")
    background = revealed_plate(plate, mask, np.random.default_rng(1))
    shot = prepare(Shot(params, plate, background, mask, 12.0, 13, 1), lambda f: None)
    return list(render(shot, iter([plate] * 13)))[-1]


def timed(step, repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        step()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    frame = a_frame(width, height)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        identity = init_keys(work / "keys", "Bench Studio")
        raw, signed = work / "frame.exr", work / "signed" / "frame.exr"
        signed.parent.mkdir()
        payload = asset_payload("asset_bench")
        spec = ManifestSpec("frame", SourceKind.PROCEDURAL, "Greenlight collapse")
        steps = {
            "write (half RGB + 4 mattes, ZIP)": lambda: write_exr(raw, frame.beauty,
                                                                  {n: frame.mattes[n] for n in PASSES}),
            "read back as sRGB": lambda: read_exr(raw, 10**9),
            "watermark + sign (sidecar)": lambda: mark_and_sign(raw, signed, spec, identity, payload),
            "verify: sidecar manifest": lambda: read_manifest(signed, identity.root_pem),
            "verify: watermark": lambda: read_watermark(signed, payload),
        }
        print(f"EXR frame {width}x{height}, median of {args.repeat}")
        for name, step in steps.items():
            wall, cpu = timed(step, args.repeat)
            print(f"  {name:34s} {wall * 1000:7.0f} ms wall  {cpu * 1000:7.0f} ms CPU")
        print(f"  size: {raw.stat().st_size / 1e6:.1f} MB per frame (PNG of the beauty alone is smaller; "
              f"the EXR holds the beauty in half float and four mattes)")
        report = read_manifest(signed, identity.root_pem)
        print(f"  signed frame: manifest {report.state}, sidecar {Path(report.sidecar).stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
