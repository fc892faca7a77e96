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
    open_studio,
    parse_day,
    print_json,
)
from greenlight.cli.tables import print_listing
from greenlight.domain import GrantState, Production, RateUnit, Use, to_plain, utcnow
from greenlight.errors import GreenlightError, InvalidInput

app = typer.Typer(help="Consent grants: informed, specific, scoped, and revocable at any time.", no_args_is_help=True)

USES = ", ".join(u.value for u in Use)
UNITS = ", ".join(u.value for u in RateUnit)


@app.command("grant")
def grant(
    talent: Annotated[str, typer.Argument(help="Talent name or id.")],
    use: Annotated[str | None, typer.Option(help=f"Required. One of: {USES}.", show_default=False)] = None,
    description: Annotated[str | None, typer.Option(help="Required. A reasonably specific description of the "
                                                         "intended use.", show_default=False)] = None,
    until: Annotated[str | None, typer.Option(help="Required. Last day the grant covers, YYYY-MM-DD (that whole "
                                                   "day included).", show_default=False)] = None,
    signed_by: Annotated[str | None, typer.Option(help="Required. The talent, or the estate for a deceased "
                                                       "performer.", show_default=False)] = None,
    rate: Annotated[str | None, typer.Option(help="Required. Compensation rate, e.g. 450.00 (0 for none).",
                                             show_default=False)] = None,
    unit: Annotated[str, typer.Option(help=f"One of: {UNITS}.")] = RateUnit.PER_SECOND.value,
    currency: str = "USD",
    production: Annotated[str | None, typer.Option(help="Production code; omit for every production.")] = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="First day covered (default: now).")] = None,
    studio: StudioOption = None,
    as_: ActorOption = None,
    json: JsonOption = False,
) -> None:
    """Record a consent grant the talent (or estate) signed. Every missing or invalid option is named at
    once, before anything is recorded."""
    from greenlight.runtime.consent import grant_consent

    given = {"--use": use, "--description": description, "--until": until, "--signed-by": signed_by,
             "--rate": rate}
    missing = [name for name, value in given.items() if value is None]
    terms, problems = _terms(use, description, until, signed_by, rate, unit, currency, production, valid_from)
    home = open_studio(studio)
    problems += _unknown_records(home, talent, production)
    if missing or problems:
        said = ([f"missing {', '.join(missing)}"] if missing else []) + problems
        raise InvalidInput("consent grant: " + "; ".join(said), "nothing was recorded; see `greenlight consent "
                                                               "grant --help`")
    with home.transaction() as tx:
        person = tx.talent(talent)
    record = grant_consent(home, person, terms, actor(as_))
    if json:
        return print_json(to_plain(record))
    console.print(f"granted {record.id}: {person.name}, {record.use.value}, {production or 'every production'}")


def _unknown_records(home, talent: str, production: str | None) -> list[str]:
    """The talent and production the grant names that the studio does not know, each in a few words."""
    from greenlight.errors import NotFound

    said = []
    with home.transaction() as tx:
        for find, key in ((tx.registry.talent, talent), (tx.registry.production, production)):
            try:
                if key is not None:
                    find(key)
            except NotFound as unknown:
                said.append(unknown.problem)
    return said


def _terms(use, description, until, signed_by, rate, unit, currency, production, valid_from):
    """The grant's terms and every problem with the options given (missing ones are the caller's to name)."""
    from decimal import Decimal, InvalidOperation

    from greenlight.domain import check_description
    from greenlight.runtime.consent import GrantTerms

    problems: list[str] = []

    def check(option: str, value, read):
        if value is None:
            return None
        try:
            return read(value)
        except GreenlightError as error:
            said = error.problem
            problems.append(said if said.startswith(option) else f"{option}: {said}")
            return None

    def number(text: str):
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise InvalidInput(f"{text!r} is not a number") from None
        if not value.is_finite() or value < 0:
            raise InvalidInput(f"{text!r} must be zero or more")
        return value

    def rate_unit(text: str) -> RateUnit:
        try:
            return RateUnit(text)
        except ValueError:
            raise InvalidInput(f"unknown rate unit {text!r} (one of: {UNITS})") from None

    def known_use(text: str) -> Use:
        try:
            return Use.parse(text)
        except InvalidInput:
            raise InvalidInput(f"unknown use {text!r} (one of: {USES})") from None

    parsed_use = check("--use", use, known_use)
    check("--description", description, check_description)
    last = check("--until", until, lambda text: parse_day(text, "--until", through=True))
    first = check("--from", valid_from, lambda text: parse_day(text, "--from"))
    check("--rate", rate, number)
    parsed_unit = check("--unit", unit, rate_unit)
    if problems or None in (parsed_use, last, signed_by, rate, description, parsed_unit):
        return None, problems
    terms = GrantTerms(use=parsed_use, description=description, valid_from=first or utcnow(), valid_until=last,
                       signed_by=signed_by, rate=rate, unit=parsed_unit, currency=currency,
                       production_code=production)
    return terms, problems


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
    from greenlight.runtime.scanning import consent_grants, ledgered_talent

    with open_studio(studio).transaction() as tx:  # as the guards read them: a row set back to active is refused
        talent_id = tx.talent(talent).id if talent else None
        grants = [g for g in consent_grants(tx) if talent_id in (None, g.talent_id)]
        names = {t.id: t.name for t in ledgered_talent(tx)}
        productions = {p.id: p.code for p in tx.ledgered_list(Production, "production.added")}
    if json:
        return print_json([to_plain(g) for g in grants])
    rows = [(g.id, names.get(g.talent_id, g.talent_id), g.use.value,
             productions.get(g.production_id, "every production"), g.state.value, f"{g.last_day:%Y-%m-%d}")
            for g in grants]
    print_listing(("grant", "talent", "use", "production", "state", "until"), rows)
