"""`greenlight init` and `greenlight demo`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import console


def init(
    folder: Annotated[Path | None, typer.Argument(help="Studio folder (default: $GREENLIGHT_HOME).")] = None,
) -> None:
    """Create a studio folder with its database (or bring an existing one up to date)."""
    import os

    from greenlight.errors import StudioError
    from greenlight.runtime.studio import Studio

    target = folder or (Path(os.environ["GREENLIGHT_HOME"]) if os.environ.get("GREENLIGHT_HOME") else None)
    if target is None:
        raise StudioError("no studio folder given", "run `greenlight init DIR` or set GREENLIGHT_HOME")
    studio = Studio.create(target)
    console.print(f"studio ready at {studio.home}")
    console.print(f"  export GREENLIGHT_HOME={studio.home}")


def demo(
    folder: Annotated[
        Path | None, typer.Argument(help="Where to build the demo studio (default: a temp folder).")
    ] = None,
) -> None:
    """Build a demo studio, enrol a face, grant consent, scan under two productions, verify the ledger."""
    from greenlight.cli.demo import run_demo

    run_demo(folder)
