"""`greenlight run moodboard "BRIEF" --production P --library DIR`: a mood board under the guards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import ActorOption, QueueOption, StudioOption, actor, open_studio


def run_moodboard(
    brief: Annotated[str, typer.Argument(help="What the board is for: the set, the costume, the light.")],
    production: Annotated[str, typer.Option("--production", "-p", help="Production code.")],
    library: Annotated[Path, typer.Option(help="The licensed reference library: images with JSON sidecars.")],
    n: Annotated[int, typer.Option("--n", help="How many references on the board (1–12).")] = 6,
    seed: Annotated[int, typer.Option(help="Recorded with the job; seeds the palette's k-means.")] = 0,
    queue_only: QueueOption = False,
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """A mood board from the studio's licensed library. Exit status: 0 in review, 3 escalated, 4 blocked, 2 failed.

    References whose licence does not allow previs, or has run out, are left out and named in the output.
    """
    from greenlight.cli.jobs import start
    from greenlight.runtime.jobs import submit

    home = open_studio(studio)
    params = {"brief": brief, "library": str(library.expanduser().resolve()), "n": n}
    job = submit(home, "moodboard", params, [], production, actor(as_), seed)
    start(home, job, f"mood board for {brief!r} from {library}", queue_only)
