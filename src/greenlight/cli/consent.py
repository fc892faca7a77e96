"""`greenlight consent …`: grant, suspend, resume, revoke and list consent."""

from __future__ import annotations

from typing import Annotated

import typer

from greenlight.cli.common import (
    ActorOption,
    JsonOption,
    StudioOption,
    actor,
    console,
    listing,
    open_studio,
    parse_day,
    print_json,
)
from greenlight.domain import GrantState, Production, RateUnit, Talent, Use, to_plain, utcnow

app = typer.Typer(help="Consent grants: informed, specific, scoped, and revocable at any time.", no_args_is_help=True)

USES = ", ".join(u.value for u in Use)
UNITS = ", ".join(u.value for u in RateUnit)


@app.command("grant")
def grant(
    talent: Annotated[str, typer.Argument(help="Talent name or id.")],
    use: Annotated[str, typer.Option(help=f"One of: {USES}.")],
    description: Annotated[str, typer.Option(help="A reasonably specific description of the intended use.")],
    until: Annotated[str, typer.Option(help="Last day the grant covers, YYYY-MM-DD (that whole day included).")],
    signed_by: Annotated[str, typer.Option(help="The talent, or the estate for a deceased performer.")],
    rate: Annotated[str, typer.Option(help="Compensation rate, e.g. 450.00.")],
    unit: Annotated[str, typer.Option(help=f"One of: {UNITS}.")] = RateUnit.PER_SECOND.value,
    currency: str = "USD",
    production: Annotated[str | None, typer.Option(help="Production code; omit for every production.")] = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="First day covered (default: now).")] = None,
    studio: StudioOption = None,
    as_: ActorOption = None,
    json: JsonOption = False,
) -> None:
    """Record a consent grant the talent (or estate) signed."""
    from greenlight.errors import InvalidInput
    from greenlight.runtime.consent import GrantTerms, grant_consent

    try:
        rate_unit = RateUnit(unit)
    except ValueError:
        raise InvalidInput(f"unknown rate unit {unit!r}", f"use one of: {UNITS}") from None
    terms = GrantTerms(
        use=Use.parse(use),
        description=description,
        valid_from=parse_day(valid_from, "--from") if valid_from else utcnow(),
        valid_until=parse_day(until, "--until", through=True),
        signed_by=signed_by,
        rate=rate,
        unit=rate_unit,
        currency=currency,
        production_code=production,
    )
    home = open_studio(studio)
    with home.transaction() as tx:
        person = tx.registry.talent(talent)
    record = grant_consent(home, person, terms, actor(as_))
    if json:
        return print_json(to_plain(record))
    console.print(f"granted {record.id}: {person.name}, {record.use.value}, {production or 'every production'}")


def _change(state: GrantState):
    def command(
        grant_id: Annotated[str, typer.Argument(help="The grant's id (see `greenlight consent list`).")],
        reason: Annotated[str, typer.Option(help="Why, for the ledger.")] = "",
        studio: StudioOption = None,
        as_: ActorOption = None,
    ) -> None:
        from greenlight.runtime.consent import change_grant

        grant = change_grant(open_studio(studio), grant_id, state, actor(as_), reason)
        console.print(f"{grant.id} is now {grant.state.value}")

    return command


app.command("suspend", help="Suspend a grant (e.g. during a strike): nothing it covers may run.")(
    _change(GrantState.SUSPENDED)
)
app.command("resume", help="Resume a suspended grant.")(_change(GrantState.ACTIVE))
app.command("revoke", help="Revoke a grant for good; running jobs it covered do not publish.")(
    _change(GrantState.REVOKED)
)


@app.command("list")
def list_grants(
    talent: Annotated[str | None, typer.Option(help="Only this talent's grants.")] = None,
    studio: StudioOption = None,
    json: JsonOption = False,
) -> None:
    """List consent grants with their state."""
    with open_studio(studio).transaction() as tx:
        talent_id = tx.registry.talent(talent).id if talent else None
        grants = tx.registry.grants(talent_id=talent_id)
        names = {t.id: t.name for t in tx.registry.list(Talent)}
        productions = {p.id: p.code for p in tx.registry.list(Production)}
    if json:
        return print_json([to_plain(g) for g in grants])
    table = listing("grant", "talent", "use", "production", "state", "until")
    for g in grants:
        table.add_row(
            g.id,
            names.get(g.talent_id, g.talent_id),
            g.use.value,
            productions.get(g.production_id, "every production"),
            g.state.value,
            f"{g.last_day:%Y-%m-%d}",
        )
    console.print(table)
