"""`greenlight run previz …` and `greenlight models …`: concept frames from the studio's own model.

Nothing here imports torch or diffusers: `models add` imports diffusers to check a folder, and the
engine imports torch only when a job runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import (
    ActorOption,
    JsonOption,
    QueueOption,
    StudioOption,
    actor,
    console,
    open_studio,
    print_json,
)
from greenlight.cli.jobs import run_app
from greenlight.cli.tables import print_listing

models_app = typer.Typer(help="The studio's own generative models: local diffusers folders, pinned by hash.",
                         no_args_is_help=True)


@models_app.command("add")
def models_add(
    name: Annotated[str, typer.Argument(help="The name jobs use for it, e.g. sd15-studio.")],
    folder: Annotated[Path, typer.Argument(help="A diffusers pipeline folder (model_index.json and components).")],
    studio: StudioOption = None,
    as_: ActorOption = None,
    json: JsonOption = False,
) -> None:
    """Register a local text-to-image model folder: checked, hashed file by file, recorded in the ledger."""
    from greenlight.domain import to_plain
    from greenlight.runtime.models import add_model

    model = add_model(open_studio(studio), name, folder, actor(as_))
    if json:
        return print_json(to_plain(model))
    console.print(f"added model {model.name} ({model.pipeline}, {model.files} files, {_size(model.size)})")
    console.print(f"  sha256 {model.sha256}")


@models_app.command("list")
def models_list(studio: StudioOption = None, json: JsonOption = False) -> None:
    """List registered models with their pipeline, size and content hash."""
    from greenlight.domain import to_plain
    from greenlight.runtime.models import models

    found = models(open_studio(studio))
    if json:
        return print_json([to_plain(m) for m in found])
    if not found:
        return console.print("no models yet: add a diffusers folder with `greenlight models add NAME DIR`")
    rows = [(m.name, m.pipeline, str(m.files), _size(m.size), m.sha256[:16] + "…", m.folder) for m in found]
    print_listing(("name", "pipeline", "files", "size", "sha256", "folder"), rows, optional=("files", "size", "folder"))


@run_app.command("previz")
def run_previz(
    brief: Annotated[str, typer.Argument(help="What to visualise: the set, costume, light, lens.")],
    production: Annotated[str, typer.Option("--production", "-p", help="Production code.")],
    model: Annotated[str, typer.Option(help="A registered model (see `greenlight models list`).")],
    image: Annotated[Path | None, typer.Option(help="A reference image (sketch, location photo): image-to-image.")]
    = None,
    n: Annotated[int, typer.Option("--n", help="How many variations.")] = 4,
    seed: Annotated[int, typer.Option(help="Variation i is made from seed + i; the same seed, the same frames.")] = 0,
    steps: Annotated[int, typer.Option(help="Denoising steps (1–4 for SD-Turbo or LCM, 20–50 otherwise).")] = 25,
    negative: Annotated[str, typer.Option(help="What the frames must not show.")] = "",
    width: Annotated[int, typer.Option(help="Frame width, a multiple of 8 (0: the model's own size).")] = 0,
    height: Annotated[int, typer.Option(help="Frame height, a multiple of 8 (0: the model's own size).")] = 0,
    guidance: Annotated[float, typer.Option(help="How closely to follow the brief (0 for SD-Turbo).")] = 7.5,
    strength: Annotated[float, typer.Option(help="With --image: how far to move from it (0–1).")] = 0.6,
    device: Annotated[str, typer.Option(help="auto (a GPU when there is one), cpu or cuda.")] = "auto",
    low_memory: Annotated[bool, typer.Option(help="Attention slicing, VAE tiling, CPU offload on a GPU.")] = False,
    queue_only: QueueOption = False,
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Concept frames and their contact sheet. Exit status: 0 in review, 3 escalated, 4 blocked, 2 failed."""
    from greenlight.cli.jobs import start
    from greenlight.runtime.jobs import submit
    from greenlight.runtime.models import model_params

    home = open_studio(studio)
    with home.transaction() as tx:
        registered = tx.registry.model(model)
    params = {"brief": brief, **model_params(registered), "negative": negative, "n": n, "steps": steps,
              "width": width, "height": height, "guidance": guidance, "strength": strength, "device": device,
              "attention_slicing": low_memory, "vae_tiling": low_memory, "cpu_offload": low_memory}
    job = submit(home, "previz", params, [image] if image else [], production, actor(as_), seed)
    what = f"{n} frame(s) from {registered.name}" + (f", after {image.name}" if image else "")
    start(home, job, f"previz, {what}, seeds {seed}–{seed + n - 1}", queue_only)


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"
