"""Benchmark of the previz engine: Greenlight's generation time against a direct diffusers call.

Builds a random Stable Diffusion folder (the tiny test pipeline, widened so that a step takes real
time), registers it in a scratch studio, and times on the same folder, prompt, seeds, steps and size:

* direct: ``DiffusionPipeline.from_pretrained(local_files_only=True)`` and one call for all N frames;
* the engine alone (folder fingerprint check, load, generate, write PNGs, contact sheet);
* the whole job: submit, preflight (brief screening), engine, postflight (a face scan of every
  frame), signing and watermarking, the ledger, with the guards and the signing timed apart.

Overhead = (job − guards − signing − direct) / direct: what Greenlight adds beyond its guards.

Usage:
    .venv/bin/python bench/previz.py [--width 4] [--size 64] [--steps 10] [--n 4] [--repeat 5]
        [--clock wall|cpu] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter  # --clock cpu: this process's CPU time, which other work on a shared machine disturbs less
BRIEF = "a concrete bunker corridor at dawn, wet floor, sodium lamps"


def direct(folder: Path, args: argparse.Namespace, seed: int) -> float:
    """A plain diffusers call: load from local files, one call for all frames; seconds."""
    import torch
    from diffusers import DiffusionPipeline

    t0 = clock()
    pipe = DiffusionPipeline.from_pretrained(str(folder), local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    generators = [torch.Generator("cpu").manual_seed(seed + i) for i in range(args.n)]
    pipe(BRIEF, num_inference_steps=args.steps, width=args.size, height=args.size, num_images_per_prompt=args.n,
         generator=generators, output_type="np")
    return clock() - t0


class Stopwatch:
    """Adds up the time spent in the functions it wraps, by label."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, label: str) -> None:
        real: Callable = getattr(owner, name)

        def timed(*a: Any, **k: Any) -> Any:
            t0 = clock()
            try:
                return real(*a, **k)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + clock() - t0

        setattr(owner, name, timed)


def job(studio: Any, model: Any, args: argparse.Namespace, seed: int, watch: Stopwatch) -> float:
    """Submit and run one previz job to review; seconds (``watch`` collects the parts)."""
    from greenlight.domain import JobState
    from greenlight.runtime.executor import LocalExecutor
    from greenlight.runtime.jobs import submit
    from greenlight.runtime.models import model_params

    params = {"brief": BRIEF, **model_params(model), "n": args.n, "steps": args.steps, "width": args.size,
              "height": args.size}
    watch.spent.clear()
    t0 = clock()
    queued = submit(studio, "previz", params, [], "BUNKER", "bench", seed)
    done = LocalExecutor(studio).run(queued.id)
    total = clock() - t0
    assert done.state is JobState.IN_REVIEW, done.history[-1].note
    return total


def studio_with(folder: Path, home: Path) -> tuple[Any, Any, Stopwatch]:
    from greenlight.engines.previz import diffusion
    from greenlight.provenance import init_keys
    from greenlight.runtime import executor, guarding
    from greenlight.runtime.models import add_model
    from greenlight.runtime.registry import add_production
    from greenlight.runtime.signing import keys_folder
    from greenlight.runtime.studio import Studio

    studio = Studio.create(home)
    init_keys(keys_folder(studio))
    add_production(studio, "BUNKER", "Bunker", "bench")
    t0 = clock()
    model = add_model(studio, "bench", folder, "bench")
    print(f"models add: {model.files} files, {model.size / 1e6:.1f} MB hashed in {clock() - t0:.2f} s")
    watch = Stopwatch()
    watch.wrap(guarding, "preflight", "preflight guard")
    watch.wrap(guarding, "postflight", "postflight guard (face scan of every frame)")
    watch.wrap(guarding, "at_publish", "publish guard")
    watch.wrap(executor, "sign_output", "signing + watermark")
    watch.wrap(diffusion.PrevizEngine, "run", "engine")
    return studio, model, watch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=4, help="channels of the UNet's first block")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--n", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    import torch

    from greenlight.engines.previz.tiny import build_tiny_pipeline

    if args.threads:
        # On a shared machine, idle OpenMP threads spin and are descheduled: one thread measures the work itself.
        torch.set_num_threads(args.threads)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_tiny_pipeline(Path(tmp) / "model", width=args.width)
        studio, model, watch = studio_with(folder, Path(tmp) / "studio")
        direct(folder, args, 0)  # warm-up: first calls pay for lazy imports and allocator growth
        job(studio, model, args, 0, watch)
        rows: list[tuple[float, float, dict[str, float]]] = []
        for r in range(args.repeat):
            plain = direct(folder, args, 100 * r)
            whole = job(studio, model, args, 100 * r, watch)
            rows.append((plain, whole, dict(watch.spent)))
        report(rows, args)


def report(rows: list[tuple[float, float, dict[str, float]]], args: argparse.Namespace) -> None:
    print(f"{args.n} frames of {args.size}², {args.steps} steps, {len(rows)} runs, {args.clock} clock; "
          f"load average now {os.getloadavg()[0]:.2f}")
    # The median is what a user sees; the fastest run is the least disturbed by other work on the machine.
    for label, pick in (("median", statistics.median), ("fastest", min)):
        plain, whole = pick(r[0] for r in rows), pick(r[1] for r in rows)
        parts = {k: pick(r[2].get(k, 0.0) for r in rows) for k in rows[0][2]}
        guards = sum(v for k, v in parts.items() if "guard" in k)
        signing = parts.get("signing + watermark", 0.0)
        beyond = whole - guards - signing - plain
        print(f"{label}: direct diffusers (load + generate) {plain:.2f} s; Greenlight job end to end {whole:.2f} s")
        for part, seconds in parts.items():
            print(f"    {part}: {seconds:.2f} s")
        engine = parts.get("engine", 0.0)
        print(f"  beyond guards and signing: {beyond:+.2f} s = {100 * beyond / plain:+.1f} % of the direct call "
              f"(engine alone {100 * (engine - plain) / plain:+.1f} %)")


if __name__ == "__main__":
    main()
