"""`greenlight production …`, `talent …` and `protect …`: who and what the studio knows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from greenlight.cli.common import (
    ActorOption,
    JsonOption,
    StudioOption,
    actor,
    console,
    open_studio,
    print_json,
)
from greenlight.cli.money import rate_text
from greenlight.cli.tables import print_listing
from greenlight.domain import Production, ProtectedPerson, ProtectedWork, Talent, to_plain

production_app = typer.Typer(help="Productions (shows, films) that consent is granted for.", no_args_is_help=True)
talent_app = typer.Typer(help="Talent: performers whose likeness is used only under consent.", no_args_is_help=True)
protect_app = typer.Typer(help="Protected persons and works: never generated without a grant.", no_args_is_help=True)

Photos = Annotated[list[Path], typer.Argument(help="Reference photos, each showing only this person.")]


@production_app.command("add")
def production_add(code: str, title: str, studio: StudioOption = None, as_: ActorOption = None) -> None:
    """Add a production, e.g. `greenlight production add NIGHTFALL "Nightfall, season 1"`."""
    from greenlight.runtime.registry import add_production

    production = add_production(open_studio(studio), code, title, actor(as_))
    console.print(f"added production {production.code} ({production.id})")


@production_app.command("list")
def production_list(studio: StudioOption = None, json: JsonOption = False) -> None:
    """List productions."""
    with open_studio(studio).transaction() as tx:
        rows = tx.registry.list(Production)
    if json:
        return print_json([to_plain(p) for p in rows])
    print_listing(("code", "title", "id"), [(p.code, p.title, p.id) for p in rows])


@talent_app.command("add")
def talent_add(
    name: str,
    alias: Annotated[list[str] | None, typer.Option(help="Another name the talent is known by (repeatable).")] = None,
    deceased: Annotated[bool, typer.Option(help="The performer has died; the estate consents.")] = False,
    estate: Annotated[str | None, typer.Option(help="The estate that consents for a deceased performer.")] = None,
    representative: Annotated[str | None, typer.Option(help="Agent or union representative.")] = None,
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Register a performer."""
    from greenlight.runtime.registry import add_talent

    talent = add_talent(open_studio(studio), name, actor(as_), alias or (), deceased, representative, estate)
    console.print(f"added talent {talent.name} ({talent.id})")


@talent_app.command("list")
def talent_list(studio: StudioOption = None, json: JsonOption = False) -> None:
    """List talent with their enrolled photos and grants."""
    with open_studio(studio).transaction() as tx:
        people = tx.registry.list(Talent)
        refs = tx.registry.references()
        grants = tx.registry.grants()
    if json:
        return print_json([to_plain(t) for t in people])
    rows = [
        (
            t.name,
            t.status.value,
            str(sum(r.subject_id == t.id for r in refs)),
            str(sum(g.talent_id == t.id for g in grants)),
            t.id,
        )
        for t in people
    ]
    print_listing(("name", "status", "photos", "grants", "id"), rows, optional=("photos", "grants"))


@talent_app.command("show")
def talent_show(name: str, studio: StudioOption = None, json: JsonOption = False) -> None:
    """Show a performer, their enrolled photos and every consent grant."""
    with open_studio(studio).transaction() as tx:
        talent = tx.talent(name)
        refs = [r for r in tx.registry.references() if r.subject_id == talent.id]
        grants = tx.registry.grants(talent_id=talent.id)
        productions = {p.id: p.code for p in tx.registry.list(Production)}
    if json:
        return print_json(
            {
                "talent": to_plain(talent),
                "photos": [r.photo_sha256 for r in refs],
                "grants": [to_plain(g) for g in grants],
            }
        )
    console.print(f"{talent.name} ({talent.id}) — {talent.status.value}", style="bold")
    for label, value in (
        ("aliases", ", ".join(talent.aliases)),
        ("representative", talent.representative),
        ("estate", talent.estate),
    ):
        if value:
            console.print(f"  {label}: {value}")
    console.print(f"  enrolled photos: {len(refs)}")
    rows = [
        (
            g.id,
            g.use.value,
            productions.get(g.production_id, g.production_id) if g.production_id else "every production",
            g.state.value,
            f"{g.valid_from:%Y-%m-%d}",
            f"{g.last_day:%Y-%m-%d}",
            rate_text(g.compensation, short=True),
        )
        for g in grants
    ]
    print_listing(("grant", "use", "production", "state", "from", "until", "rate"), rows, optional=("from", "rate"))


@talent_app.command("enrol")
def talent_enrol(name: str, photos: Photos, studio: StudioOption = None, as_: ActorOption = None) -> None:
    """Enrol a performer's likeness from reference photos (one face each)."""
    from greenlight.runtime.registry import enrol

    home = open_studio(studio)
    with home.transaction() as tx:
        talent = tx.talent(name)
    references = enrol(home, talent, photos, actor(as_))
    console.print(f"enrolled {talent.name} from {len(references)} photo(s)")


@protect_app.command("person")
def protect_person(
    name: str,
    photos: Annotated[list[Path] | None, typer.Argument(help="Photos, so the face is caught too.")] = None,
    alias: Annotated[list[str] | None, typer.Option(help="Another name (repeatable).")] = None,
    note: str = "",
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Protect a public or historical figure by name and, from photos, by face."""
    from greenlight.runtime.registry import protect_person as protect

    person = protect(open_studio(studio), name, actor(as_), alias or (), note, photos or ())
    console.print(f"protected person {person.name} ({person.id}), {len(photos or ())} photo(s)")


@protect_app.command("work")
def protect_work(
    title: str,
    character: Annotated[list[str] | None, typer.Option(help="A character name (repeatable).")] = None,
    owner: str = "",
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Protect a title the studio does not own, with its character names."""
    from greenlight.runtime.registry import protect_work as protect

    work = protect(open_studio(studio), title, actor(as_), character or (), owner)
    console.print(f"protected work {work.title} ({work.id})")


@protect_app.command("list")
def protect_list(studio: StudioOption = None) -> None:
    """List protected persons and works."""
    with open_studio(studio).transaction() as tx:
        people, works = tx.registry.list(ProtectedPerson), tx.registry.list(ProtectedWork)
    print_listing(
        ("name", "kind", "also", "id"),
        [(p.name, "person", ", ".join(p.aliases), p.id) for p in people]
        + [(w.title, "work", ", ".join(w.characters), w.id) for w in works],
        optional=("also",),
    )
