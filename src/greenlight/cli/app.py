"""The `greenlight` command: a Typer app whose sub-commands live in small modules beside this one.

Heavy parts (dlib, PyAV, c2pa) are imported only by the commands that need them, so `--help` is fast.
"""

from __future__ import annotations

import sys

import typer

from greenlight.cli import collapse as _collapse  # noqa: F401 (registers `run collapse` on the run app)
from greenlight.cli import (
    consent,
    jobs,
    ledger,
    moodboard,
    previz,
    provenance,
    registry,
    report,
    scan,
    studio,
    tokens,
)
from greenlight.cli.common import console_err
from greenlight.errors import GreenlightError

app = typer.Typer(
    name="greenlight",
    help="Consent-first generative AI for film and TV: likeness registry, consent, guards, ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(studio.init)
app.command("demo")(studio.demo)
app.add_typer(registry.production_app, name="production")
app.add_typer(registry.talent_app, name="talent")
app.add_typer(registry.protect_app, name="protect")
app.add_typer(consent.app, name="consent")
app.command("scan")(scan.scan)
app.command("screen")(scan.screen)
app.add_typer(ledger.app, name="ledger")
app.add_typer(provenance.keys_app, name="keys")
app.command("verify")(provenance.verify)
app.command("ingest")(provenance.ingest)
jobs.run_app.command("moodboard")(moodboard.run_moodboard)
app.add_typer(jobs.run_app, name="run")  # previz adds `run previz` to it
app.add_typer(previz.models_app, name="models")
app.add_typer(jobs.jobs_app, name="jobs")
app.command("export")(jobs.export)
app.add_typer(tokens.app, name="token")
app.add_typer(report.app, name="report")


def main() -> None:
    """Entry point: one-line errors and meaningful exit statuses instead of tracebacks.

    Click's standalone mode handles usage errors itself (a short message, exit status 2) and turns
    ``typer.Exit`` into the exit status; only Greenlight's own errors come back here.
    """
    try:
        app()
    except GreenlightError as error:
        console_err.print(f"error: {error.one_line()}")
        sys.exit(error.exit_code)


if __name__ == "__main__":
    main()
