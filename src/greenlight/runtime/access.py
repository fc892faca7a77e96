"""Access tokens for the studio service: issued, listed, revoked and checked, each change in the ledger.

A secret is ``glt_`` and 43 random URL-safe characters (256 bits); only its SHA-256 is stored, so a
lookup by hash needs no slow password hash and a stolen database holds no usable token.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from greenlight.domain import canonical_json, utcnow
from greenlight.domain.access import AccessToken, Caller, Role
from greenlight.domain.consent import last_day
from greenlight.errors import InvalidInput, InvalidTransition, LedgerError, Unauthorized
from greenlight.runtime.studio import Studio, Transaction

PREFIX = "glt_"
DEFAULT_LIFETIME = timedelta(days=30)
LONGEST_LIFETIME = timedelta(days=366)


def expiry_text(expires_at: datetime) -> str:
    """When a token stops working, as a person reads it: a token that ends at midnight UTC (what
    ``--expires DAY`` gives) works through the day before, so it is named by that last day."""
    moment = expires_at.astimezone(UTC)
    if moment.time() == time(0):
        return f"the end of {last_day(moment):%Y-%m-%d} (UTC)"
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def secret_hash(secret: str) -> str:
    """The SHA-256 a token's secret is stored and found by."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    studio: Studio, holder: str, role: Role, actor: str, talent: str | None = None, expires_at: datetime | None = None
) -> tuple[AccessToken, str]:
    """A new token and its secret (shown once, never stored).

    Raises:
        InvalidInput: no holder; a talent representative without a talent, or another role with one;
            an expiry in the past or more than a year ahead.
        NotFound: the talent does not exist.
    """
    now = utcnow()
    expires_at = expires_at or now + DEFAULT_LIFETIME
    _check_request(holder, role, talent, expires_at, now)
    secret = PREFIX + secrets.token_urlsafe(32)
    with studio.transaction() as tx:
        talent_id = tx.talent(talent).id if talent else None
        token = AccessToken(holder=holder.strip(), role=role, secret_sha256=secret_hash(secret),
                            expires_at=expires_at, talent_id=talent_id, created_by=actor)
        tx.registry.add(token)
        tx.record("token.created", token, actor)
    return token, secret


def _check_request(holder: str, role: Role, talent: str | None, expires_at: datetime, now: datetime) -> None:
    if not holder.strip():
        raise InvalidInput("a token needs the name of the person it is for", "pass --for NAME")
    if role is Role.TALENT_REP and not talent:
        raise InvalidInput("a talent-rep token must name the talent it represents", "pass --talent NAME")
    if role is not Role.TALENT_REP and talent:
        raise InvalidInput(f"a {role.value} token is not tied to one talent", "drop --talent, or use --role talent-rep")
    if expires_at <= now:
        raise InvalidInput(f"an expiry at {expiry_text(expires_at)} is in the past", "give a later date")
    if expires_at > now + LONGEST_LIFETIME:
        raise InvalidInput(f"an expiry at {expiry_text(expires_at)} is more than a year ahead",
                           "tokens live at most a year: give an earlier date")


def tokens(studio: Studio) -> list[AccessToken]:
    """Every token ever issued, oldest first (revoked and expired ones included)."""
    with studio.transaction() as tx:
        return tx.registry.list(AccessToken)


def revoke(studio: Studio, token_id: str, actor: str) -> AccessToken:
    """Revoke a token at once; the next request that carries it is refused.

    Raises:
        NotFound: no token with that id.
        InvalidTransition: it is already revoked.
    """
    with studio.transaction() as tx:
        token = tx.registry.get(AccessToken, token_id)
        if token.revoked_at is not None:
            raise InvalidTransition(f"token {token.id} was already revoked at {token.revoked_at:%Y-%m-%d %H:%M} UTC")
        token = tx.registry.update(replace(token, revoked_at=utcnow(), revoked_by=actor))
        tx.record("token.revoked", token, actor)
    return token


def _as_the_ledger_has_it(tx: Transaction, token: AccessToken) -> None:
    """Refuse a token whose row differs from the ledger's last word on it (a role raised in SQL, an expiry
    pushed back, a revocation undone), or whose ledger is not the one the studio key signed (that word
    appended without the key, a revocation deleted from the chain): the database was edited behind the
    ledger's back. The same checks as every guard's (``Transaction.check_not_rolled_back``, ``check_chain``)."""
    try:
        tx.check_not_rolled_back()
        entry = tx.ledger.latest(token.id)
        tx.check_chain()
    except LedgerError as error:
        raise Unauthorized(f"access token {token.id}: {error.problem}", error.hint) from None
    recorded = entry.event.payload.get("record") if entry else None
    if recorded != json.loads(canonical_json(token)):
        raise Unauthorized(f"access token {token.id} does not match the ledger's record of it (edited in the database)",
                           "run `greenlight ledger verify`; an admin issues a new token")


def authenticate(studio: Studio, secret: str, now: datetime | None = None) -> Caller:
    """The caller a presented secret identifies (at ``now``, default the present).

    Raises:
        Unauthorized: no such token, or it is revoked or expired.
    """
    with studio.transaction() as tx:
        token = tx.registry.token_by_secret(secret_hash(secret.strip()))
        if token is None:
            raise Unauthorized("the access token is not one this studio issued", "ask an admin for a token")
        _as_the_ledger_has_it(tx, token)
    state = token.state(now or utcnow())
    if state != "live":
        raise Unauthorized(f"access token {token.id} is {state}", "ask an admin for a new token")
    return Caller(token_id=token.id, holder=token.holder, role=token.role, talent_id=token.talent_id)
