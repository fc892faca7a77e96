"""Access tokens: issued once, stored hashed, expiring, revocable, each change in the ledger."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from greenlight.domain import utcnow
from greenlight.domain.access import Role
from greenlight.errors import InvalidInput, InvalidTransition, NotFound, Unauthorized
from greenlight.ledger.audit import audit
from greenlight.runtime.access import authenticate, issue, revoke, tokens
from greenlight.runtime.registry import add_talent
from greenlight.runtime.studio import Studio


@pytest.fixture
def studio(tmp_path) -> Studio:
    studio = Studio.create(tmp_path / "studio")
    add_talent(studio, "Dana Reyes", actor="casting")
    return studio


def test_a_token_identifies_its_holder_and_role(studio):
    token, secret = issue(studio, "Ana Ruiz", Role.REVIEWER, actor="admin")
    who = authenticate(studio, secret)
    assert (who.token_id, who.holder, who.role, who.talent_id) == (token.id, "Ana Ruiz", Role.REVIEWER, None)
    assert who.actor == "Ana Ruiz (reviewer)"


def test_only_the_secrets_hash_is_stored(studio):
    _, secret = issue(studio, "Ana Ruiz", Role.REVIEWER, actor="admin")
    dump = "\n".join(sqlite3.connect(studio.home / "greenlight.db").iterdump())
    assert secret not in dump and secret[4:] not in dump


def test_a_talent_rep_token_is_tied_to_its_talent(studio):
    token, secret = issue(studio, "Sam Okafor", Role.TALENT_REP, actor="admin", talent="dana reyes")
    assert authenticate(studio, secret).talent_id == token.talent_id is not None


@pytest.mark.parametrize(("role", "talent", "problem"), [
    (Role.TALENT_REP, None, "must name the talent"),
    (Role.REVIEWER, "Dana Reyes", "not tied to one talent"),
])
def test_talent_scoping_is_checked_at_issue(studio, role, talent, problem):
    with pytest.raises(InvalidInput, match=problem):
        issue(studio, "Someone", role, actor="admin", talent=talent)
    assert tokens(studio) == []


def test_unknown_talent_issues_nothing(studio):
    with pytest.raises(NotFound):
        issue(studio, "Sam", Role.TALENT_REP, actor="admin", talent="Nobody Known")
    assert tokens(studio) == []


@pytest.mark.parametrize("offset", [timedelta(seconds=-1), timedelta(days=400)])
def test_expiry_must_be_ahead_and_within_a_year(studio, offset):
    with pytest.raises(InvalidInput, match="expiry"):
        issue(studio, "Ana Ruiz", Role.REVIEWER, actor="admin", expires_at=utcnow() + offset)


@pytest.mark.parametrize("secret", ["", "glt_", "glt_not-issued-here", "Bearer x"])
def test_unknown_secrets_are_refused(studio, secret):
    issue(studio, "Ana Ruiz", Role.REVIEWER, actor="admin")
    with pytest.raises(Unauthorized):
        authenticate(studio, secret)


def test_an_expired_token_is_refused(studio):
    token, secret = issue(studio, "Ana Ruiz", Role.REVIEWER, actor="admin", expires_at=utcnow() + timedelta(hours=1))
    authenticate(studio, secret, now=token.expires_at - timedelta(seconds=1))
    with pytest.raises(Unauthorized, match="expired"):
        authenticate(studio, secret, now=token.expires_at)


def test_a_revoked_token_is_refused_at_once_and_stays_on_record(studio):
    token, secret = issue(studio, "Ana Ruiz", Role.REVIEWER, actor="admin")
    revoke(studio, token.id, actor="admin")
    with pytest.raises(Unauthorized, match="revoked"):
        authenticate(studio, secret)
    with pytest.raises(InvalidTransition):
        revoke(studio, token.id, actor="admin")
    [kept] = tokens(studio)
    assert kept.revoked_by == "admin"


def test_token_changes_are_in_the_ledger(studio):
    token, _ = issue(studio, "Ana Ruiz", Role.REVIEWER, actor="admin")
    revoke(studio, token.id, actor="security")
    with studio.transaction() as tx:
        kinds = [e.event.kind for e in tx.ledger.entries() if e.event.subject == token.id]
        assert audit(tx.ledger.session, studio.checkpoints).ok
    assert kinds == ["token.created", "token.revoked"]
