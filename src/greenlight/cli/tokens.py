"""`greenlight token …`: access tokens for the studio service (`greenlight serve`)."""

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
from greenlight.domain import to_plain, utcnow
from greenlight.domain.access import Role
from greenlight.errors import InvalidInput

app = typer.Typer(help="Access tokens for the studio service: one per person and role, shown once.",
                  no_args_is_help=True)

ROLES = ", ".join(r.value for r in Role)


@app.command("create")
def create(
    role: Annotated[str, typer.Option(help=f"One of: {ROLES}.")],
    holder: Annotated[str, typer.Option("--for", help="Who the token is for (the ledger names them).")],
    talent: Annotated[str | None, typer.Option(help="The talent a talent-rep token represents.")] = None,
    expires: Annotated[str | None, typer.Option(help="Last day it works, YYYY-MM-DD (default: 30 days).")] = None,
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Issue a token. Its secret is printed once: store it now, the studio keeps only its hash."""
    from greenlight.runtime.access import expiry_text, issue

    try:
        parsed_role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}", f"use one of: {ROLES}") from None
    until = parse_day(expires, "--expires", through=True) if expires else None
    token, secret = issue(open_studio(studio), holder, parsed_role, actor(as_), talent=talent, expires_at=until)
    expiry = expiry_text(token.expires_at)
    console.print(f"token {token.id} for {token.holder} ({token.role.value}), expires at {expiry}")
    console.print(secret)
    console.print("This secret is shown once; the studio keeps only its hash.")


@app.command("list")
def list_(studio: StudioOption = None, json: JsonOption = False) -> None:
    """List tokens (never their secrets): holder, role, talent, state, expiry."""
    from greenlight.runtime.access import tokens

    found = tokens(open_studio(studio))
    if json:
        return print_json([{k: v for k, v in to_plain(t).items() if k != "secret_sha256"} for t in found])
    now = utcnow()
    rows = [(t.id, t.holder, t.role.value, t.talent_id or "", t.state(now), f"{t.expires_at:%Y-%m-%d %H:%M}")
            for t in found]
    print_listing(("token", "for", "role", "talent", "state", "expires (UTC)"), rows, optional=("talent",))


@app.command("revoke")
def revoke_(
    token_id: Annotated[str, typer.Argument(help="Token id (tok_…), from `greenlight token list`.")],
    studio: StudioOption = None,
    as_: ActorOption = None,
) -> None:
    """Revoke a token; the service refuses it from the next request on."""
    from greenlight.runtime.access import revoke

    token = revoke(open_studio(studio), token_id, actor(as_))
    console.print(f"revoked token {token.id} ({token.holder}, {token.role.value})")
