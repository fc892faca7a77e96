"""`greenlight run collapse`: a building on a plate falls apart in a dust cloud, as a job under the guards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import ActorOption, QueueOption, StudioOption, actor, open_studio
from greenlight.cli.jobs import run_app, start


@run_app.command("collapse")
def run_collapse(
    plate: Annotated[Path, typer.Argument(help="The plate: an image, or a locked-off clip.")],
    outline: Annotated[Path, typer.Option(help="The building: a polygon in JSON (a list of x, y points in plate "
                                               "pixels) or a mask image (white where the building is).")],
    production: Annotated[str, typer.Option("--production", "-p", help="Production code.")],
    clean_plate: Annotated[Path | None, typer.Option(help="What is behind the building (otherwise it is "
                                                          "filled: sky, distant buildings, street).")] = None,
    start_frame: Annotated[int, typer.Option(help="The plate frame at which the building starts to fail.")] = 6,
    duration: Annotated[float, typer.Option(help="Seconds from the first failure to the end of the shot.")] = 6.0,
    fps: Annotated[float, typer.Option(help="Frame rate when the plate is a still.")] = 24.0,
    direction: Annotated[str, typer.Option(help="pancake, left, right or toward-camera.")] = "pancake",
    speed: Annotated[float, typer.Option(help="How fast the failure runs through the building (0.1–10).")] = 1.0,
    breakup: Annotated[str, typer.Option(help="floors (slabs along the storeys) or shatter.")] = "floors",
    floors: Annotated[int, typer.Option(help="Storeys (0: found from the facade).")] = 0,
    pieces: Annotated[int, typer.Option(help="About how many pieces it breaks into.")] = 90,
    failure: Annotated[tuple[float, float], typer.Option(help="Where it fails first: x y as fractions of the "
                                                              "building's box (0 0 is top left).")] = (0.5, 0.35),
    dust: Annotated[float, typer.Option(help="Amount of dust, 0–2.")] = 1.0,
    dust_colour: Annotated[str, typer.Option(help="Dust colour as R,G,B (default: from the plate).")] = "",
    debris: Annotated[float, typer.Option(help="Amount of small debris, 0–2.")] = 1.0,
    shake: Annotated[float, typer.Option(help="Camera shake on impacts, pixels at 1080p (0: none).")] = 6.0,
    motion_blur: Annotated[int, typer.Option(help="Sub-frame samples per frame (1: no motion blur).")] = 3,
    png_frames: Annotated[bool, typer.Option(help="Also deliver every frame as a signed PNG.")] = False,
    exr: Annotated[bool, typer.Option("--exr", help="Also deliver every frame as a signed EXR for compositing: "
                                                    "linear half RGB plus the mattes as channels pieces.A, "
                                                    "debris.A, dust.A, revealed.A (credentials in FILE.c2pa).")
                   ] = False,
    seed: Annotated[int, typer.Option(help="The same spec and seed give bit-identical frames.")] = 0,
    queue_only: QueueOption = False,
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Collapse a building on a plate. Exit status: 0 in review, 3 escalated, 4 blocked, 2 failed."""
    from greenlight.runtime.jobs import submit

    params = {"start_frame": start_frame, "duration": duration, "fps": fps, "direction": direction, "speed": speed,
              "breakup": breakup, "floors": floors, "pieces": pieces, "failure": list(failure), "dust": dust,
              "dust_colour": _colour(dust_colour), "debris": debris, "shake": shake, "motion_blur": motion_blur,
              "png_frames": png_frames, "exr_frames": exr, "clean_plate": clean_plate is not None}
    inputs = [plate]
    params.update(outline_params(outline))
    if "outline" not in params:
        inputs.append(outline)
    if clean_plate is not None:
        inputs.append(clean_plate)
    home = open_studio(studio)
    job = submit(home, "collapse", params, inputs, production, actor(as_), seed)
    start(home, job, f"collapse the building outlined in {outline.name} on {plate.name}", queue_only)


def outline_params(outline: Path) -> dict:
    """The outline as job parameters: a JSON polygon's points (and its file name); nothing for a mask image.

    Raises:
        InvalidInput: a JSON outline that cannot be read as points.
        MediaError: a file that is neither JSON nor an image.
    """
    from greenlight.engines.collapse.outline import read_outline_file

    head = outline.read_bytes()[:64].lstrip() if outline.is_file() else b"["
    if head[:1] in (b"[", b"{") or outline.suffix.lower() == ".json":
        return {"outline": read_outline_file(outline), "outline_file": outline.name}
    return {}


def _colour(text: str) -> list[int]:
    from greenlight.errors import InvalidInput

    if not text.strip():
        return []
    try:
        return [int(v) for v in text.split(",")]
    except ValueError:
        raise InvalidInput(f"--dust-colour {text!r} is not R,G,B",
                           "give three numbers 0–255, e.g. 200,190,170") from None
