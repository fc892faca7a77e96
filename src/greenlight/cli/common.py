"""What every command shares: the studio option, the acting user, dates, JSON output."""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from greenlight.errors import InvalidInput

# Markup is off: names, descriptions and reason codes ("[consent.missing]") are printed as they are.
console = Console(highlight=False, soft_wrap=True, markup=False)
console_err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

StudioOption = Annotated[
    Path | None,
    typer.Option("--studio", "-s", help="Studio folder (default: $GREENLIGHT_HOME).", show_default=False),
]
ActorOption = Annotated[
    str | None,
    typer.Option("--as", help="Who is acting, for the ledger (default: $GREENLIGHT_USER or your login)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON (see README).")]
QueueOption = Annotated[bool, typer.Option("--queue", help="Only queue it; `greenlight jobs run` runs it.")]


def open_studio(path: Path | None):
    from greenlight.runtime.studio import Studio

    return Studio.open(path)


def actor(name: str | None) -> str:
    return name or os.environ.get("GREENLIGHT_USER") or getpass.getuser()


def parse_day(text: str, what: str, through: bool = False) -> datetime:
    """A date (YYYY-MM-DD) or a full ISO timestamp, as an aware UTC datetime.

    A date means the start of that day, or with ``through`` the end of it (the start of the next):
    ``--until 2027-12-31`` covers the whole of 31 December.
    """
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if through else 0)
            return datetime.combine(day, datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date", "use YYYY-MM-DD") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))


def chosen_folders(file: Path, home: Path, studio: Path) -> str:
    """The folders above ``file`` that the artist named, as they typed the path: free text to screen.

    "media/Barack Obama/plate.png" gives "media/Barack Obama": a folder's name is chosen by a person as a
    file's is. What lies above the home directory is the account's, not words for this file, and a file
    inside the studio sits in folders the studio named; both are left out. Paths are read as written,
    not resolved, so a link does not bring in folders the artist never typed.

    Args:
        file: the path as given on the command line.
        home: the user's home directory.
        studio: the studio folder.
    Returns:
        The folder names joined with "/", or "" where there are none.
    """
    folder = file.parent
    if folder.is_absolute():
        if folder.is_relative_to(studio):
            return ""
        if folder.is_relative_to(home):
            folder = folder.relative_to(home)
    return "/".join(part for part in folder.parts if part not in (folder.anchor, ".", ".."))
