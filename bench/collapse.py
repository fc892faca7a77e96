"""Benchmark of the collapse engine: simulation and rendering speed at 720p and 1080p, and the docs sheets.

For each size, on the project's own street plate with the default art direction (90 pieces,
6 s at 24 fps after 6 plate frames, 3 motion-blur samples):

* simulation: frames per second of fracture + rigid-body simulation (all sub-frame samples);
* rendering: frames per second of drawing beauty and mattes (pieces, debris, dust, composite, shake);
* end to end: the engine's whole run, writing the H.264 beauty and four matte clips.

Wall time and this process's CPU time are both reported: the machine is shared, so CPU time says
what the engine costs and wall time what the load allowed.

Usage:
    .venv/bin/python bench/collapse.py [--sizes 1280x720,1920x1080] [--docs docs/images]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from greenlight.engines.base import EngineRequest
from greenlight.engines.collapse.engine import CollapseEngine
from greenlight.engines.collapse.fill import revealed_plate
from greenlight.engines.collapse.outline import polygon_mask
from greenlight.engines.collapse.params import CollapseParams
from greenlight.engines.collapse.sheets import contact_sheet, matte_sheet
from greenlight.engines.collapse.shot import Shot, prepare, render
from greenlight.engines.collapse.street import street_plate
from greenlight.media import save_image

SEED = 11


class Clock:
    """Wall and CPU seconds of a block."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def shot_for(width: int, height: int, params: dict) -> tuple[Shot, np.ndarray]:
    plate, outline = street_plate(width, height)
    p = CollapseParams.parse({**params, "outline": outline})
    mask = polygon_mask(p.outline, width, height, "street")
    frames = p.start_frame + int(round(p.duration * p.fps))
    background = revealed_plate(plate, mask, np.random.default_rng(SEED))
    return Shot(p, plate, background, mask, p.fps, frames, SEED), plate


def measure(width: int, height: int, params: dict, keep: bool = False):
    shot, plate = shot_for(width, height, params)
    with Clock() as sim:
        prepare(shot, lambda f: None)
    kept = []
    with Clock() as draw:
        for frame in render(shot, iter([plate] * shot.frames)):
            if keep:
                kept.append(frame)
    n = shot.frames
    if keep:  # the docs' sheets need the frames, not the timings
        return kept
    with tempfile.TemporaryDirectory() as work:
        path = save_image(Path(work) / "plate.png", plate)
        request = EngineRequest((path,), {**params, "outline": street_plate(width, height)[1]}, SEED)
        with Clock() as whole:
            CollapseEngine().run(request, Path(work) / "out", lambda f, m: None)
    print(f"{width}×{height}, {n} frames, {len(shot.fracture.shards)} pieces:")
    for name, c in (("simulation", sim), ("rendering", draw), ("end to end", whole)):
        print(f"  {name:<11} {n / c.wall:6.2f} frames/s wall ({c.wall:6.1f} s)   {n / c.cpu:6.2f} frames/s CPU "
              f"({c.cpu:6.1f} s)")
    return kept


def docs(folder: Path, params: dict) -> None:
    """The contact sheet (every 8th frame) and the matte sheet of a 1280×720 collapse."""
    frames = measure(1280, 720, params, keep=True)
    beauty = [f.beauty for f in frames]
    folder.mkdir(parents=True, exist_ok=True)
    sheet = save_image(folder / "collapse_contact_sheet.png", contact_sheet(beauty, every=8, columns=4, width=320))
    picks = [len(frames) * k // 5 for k in (1, 2, 3, 4)]
    mattes = save_image(folder / "collapse_matte_sheet.png",
                        matte_sheet(beauty, [f.mattes for f in frames], picks, width=256))
    print(f"wrote {sheet} and {mattes}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1280x720,1920x1080")
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--docs", type=Path, help="write the contact and matte sheets (1280×720) here instead")
    args = parser.parse_args()
    params = {"duration": args.duration}
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    if args.docs:
        docs(args.docs, params)
        return
    for size in args.sizes.split(","):
        width, height = (int(v) for v in size.split("x"))
        measure(width, height, params)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
