"""`greenlight ledger verify|export`: prove the record of every decision is whole."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import JsonOption, StudioOption, console, open_studio, print_json

app = typer.Typer(help="The append-only, hash-chained record of every change and decision.", no_args_is_help=True)


@app.command("verify")
def verify(studio: StudioOption = None, json: JsonOption = False) -> None:
    """Check every entry's hash and link; name any edited, removed or reordered entry. Exit 1 if broken."""
    with open_studio(studio).transaction() as tx:
        report = tx.ledger.verify()
    if json:
        print_json({"ok": report.ok, "entries": report.count, "problems": list(report.problems)})
    elif report.ok:
        console.print(f"ledger verified: {report.count} entries, chain intact", style="green")
    else:
        console.print(f"ledger broken: {len(report.problems)} problem(s) in {report.count} entries", style="red")
        for problem in report.problems:
            console.print(f"  {problem}")
    raise typer.Exit(0 if report.ok else 1)


@app.command("export")
def export(
    target: Annotated[Path, typer.Argument(help="The JSON Lines file to write, inside the studio folder.")],
    studio: StudioOption = None,
) -> None:
    """Write every ledger entry as JSON Lines, for legal and business affairs.

    The export names talent and every decision about them, so it stays inside the studio's folder
    (a relative path is taken from there) like every other studio file.
    """
    from greenlight.store.home import check_inside

    home = open_studio(studio)
    target = check_inside(home.home, target)
    with home.transaction() as tx:
        count = tx.ledger.export_jsonl(target)
    console.print(f"wrote {count} entries to {target}")
