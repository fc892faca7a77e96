"""`greenlight report …`: what the studio owes, read from approved use."""

from __future__ import annotations

from typing import Annotated

import typer

from greenlight.cli.common import JsonOption, StudioOption, console, open_studio, print_json
from greenlight.cli.tables import print_listing

app = typer.Typer(help="Reports: usage and compensation owed to talent.", no_args_is_help=True)
CsvOption = Annotated[bool, typer.Option("--csv", help="Print the lines as CSV, with a header row.")]


@app.command("usage")
def usage(
    production: Annotated[str | None, typer.Option("--production", "-p", help="Only this production (code).")] = None,
    talent: Annotated[str | None, typer.Option(help="Only this talent (name or id).")] = None,
    csv: CsvOption = False,
    studio: StudioOption = None,
    json: JsonOption = False,
) -> None:
    """Approved use per talent, production and grant, each grant's rate applied; totals per talent and currency.

    Only approved jobs count. A flat fee is owed once per grant, however many jobs use it.
    """
    from greenlight.cli.money import metered_text, rate_text
    from greenlight.domain import Compensation, RateUnit
    from greenlight.runtime.reports import usage_report

    report = usage_report(open_studio(studio), production, talent)
    if csv:
        return typer.echo(report.to_csv(), nl=False)
    if json:
        return print_json(report.to_plain())
    if not report.lines:
        return console.print("no approved use" + (" matches" if production or talent else " yet"))
    rows = [(line.talent_name, line.production_code, line.grant_id, metered_text(str(line.quantity), line.unit),
             rate_text(Compensation(line.rate, RateUnit(line.unit), line.currency), short=True),
             f"{line.owed} {line.currency}", str(line.jobs)) for line in report.lines]
    print_listing(("talent", "production", "grant", "approved use", "rate", "owed", "jobs"), rows,
                  optional=("jobs", "grant"))
    for total in report.totals:
        console.print(f"total owed to {total.talent_name}: {total.owed} {total.currency}")
