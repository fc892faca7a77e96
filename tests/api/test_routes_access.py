"""Every route checks its role: the ROLE × ROUTE table in ``api.roles``, each refusal tried, nothing changed by one."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from greenlight.api.app import API_PREFIX, rest_routers
from greenlight.api.roles import ACCESS, admitted
from greenlight.domain import utcnow
from greenlight.domain.access import Role

ROUTES = [(method, route.path, route.name) for router in rest_routers() for route in router.routes
          for method in sorted(route.methods)]
TOKEN_OF = {Role.ADMIN: "admin", Role.PRODUCER: "producer", Role.ARTIST: "artist", Role.REVIEWER: "reviewer",
            Role.LEGAL: "legal", Role.TALENT_REP: "rep"}
REFUSED = [(method, path, name, role) for method, path, name in ROUTES for role in Role if not admitted(name, role)]
ADMITTED = [(method, path, name, role) for method, path, name in ROUTES for role in Role if admitted(name, role)]


def url(path: str) -> str:
    """The route's path with a placeholder for each parameter: ``/jobs/{job_id}`` → ``/jobs/job_id-x``."""
    return API_PREFIX + re.sub(r"\{(\w+)\}", lambda m: f"{m.group(1)}-x", path)


def test_every_route_is_in_the_role_table_and_every_entry_is_a_route():
    assert sorted(name for _, _, name in ROUTES) == sorted(ACCESS)
    assert all(admitted(name, Role.ADMIN) for name in ACCESS)


def test_the_table_refuses_someone_somewhere_for_each_role_but_admin():
    refused_roles = {role for *_, role in REFUSED}
    assert refused_roles == set(Role) - {Role.ADMIN}


@pytest.mark.parametrize(("method", "path", "name", "role"), REFUSED, ids=[f"{r.value}-{n}" for _, _, n, r in REFUSED])
def test_a_role_the_route_does_not_admit_is_refused_with_nothing_changed(world, client, method, path, name, role):
    before = world.ledger_length()
    response = client.request(method, url(path), headers=world.auth(TOKEN_OF[role]), json={"note": "a try"})
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["error"] == "Forbidden" and f"({name})" in body["problem"]
    assert world.ledger_length() == before


@pytest.mark.parametrize(("method", "path", "name", "role"), ADMITTED,
                         ids=[f"{r.value}-{n}" for _, _, n, r in ADMITTED])
def test_a_role_the_route_admits_gets_past_the_role_check(world, client, method, path, name, role):
    # Placeholder ids and no body: the answer is a 404 or a 422 (or the listing), never the role refusal.
    response = client.request(method, url(path), headers=world.auth(TOKEN_OF[role]))
    assert response.status_code != 401, response.text
    assert not (response.status_code == 403 and "may not do this" in response.json()["problem"]), response.text


@pytest.fixture(scope="module")
def dead_tokens(world) -> dict[str, str]:
    """An admin token revoked, and one that has expired (issued to live a second; the studio's record of it is
    left alone, as `ledger verify` checks it against the ledger)."""
    from greenlight.runtime.access import issue, revoke

    revoked, revoked_secret = issue(world.studio, "Old Admin", Role.ADMIN, "setup")
    revoke(world.studio, revoked.id, "setup")
    expiring, expired_secret = issue(world.studio, "Temp Admin", Role.ADMIN, "setup",
                                     expires_at=utcnow() + timedelta(seconds=1))
    time.sleep(max(0.0, (expiring.expires_at - utcnow()).total_seconds()) + 0.05)
    return {"revoked": revoked_secret, "expired": expired_secret}


CREDENTIALS = {
    "none": lambda dead: {},
    "empty bearer": lambda dead: {"Authorization": "Bearer "},
    "not a bearer": lambda dead: {"Authorization": "Basic cm9vdDpyb290"},
    "unknown": lambda dead: {"Authorization": "Bearer glt_not-a-token-this-studio-issued"},
    "revoked": lambda dead: {"Authorization": f"Bearer {dead['revoked']}"},
    "expired": lambda dead: {"Authorization": f"Bearer {dead['expired']}"},
}
UNAUTHENTICATED = [(m, p, n, c) for m, p, n in ROUTES for c in CREDENTIALS]


@pytest.mark.parametrize(("method", "path", "name", "credential"), UNAUTHENTICATED,
                         ids=[f"{c}-{n}" for _, _, n, c in UNAUTHENTICATED])
def test_a_request_without_a_live_token_is_refused_with_nothing_changed(world, client, dead_tokens, method, path,
                                                                        name, credential):
    before = world.ledger_length()
    response = client.request(method, url(path), headers=CREDENTIALS[credential](dead_tokens), json={"note": "x"})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "Unauthorized"
    if credential in ("revoked", "expired"):
        assert credential in response.json()["problem"]
    assert world.ledger_length() == before


def test_a_token_made_through_the_service_works_until_revoked(world, client):
    made = client.post(f"{API_PREFIX}/tokens", headers=world.auth("admin"),
                       json={"holder": "Kim Reviewer", "role": "reviewer"})
    assert made.status_code == 201, made.text
    secret = {"Authorization": f"Bearer {made.json()['secret']}"}
    assert client.get(f"{API_PREFIX}/whoami", headers=secret).json()["role"] == "reviewer"
    listed = client.get(f"{API_PREFIX}/tokens", headers=world.auth("admin")).json()
    assert all("secret" not in t and "secret_sha256" not in t for t in listed)
    revoked = client.post(f"{API_PREFIX}/tokens/{made.json()['id']}/revoke", headers=world.auth("admin"))
    assert revoked.status_code == 200
    refused = client.get(f"{API_PREFIX}/whoami", headers=secret)
    assert refused.status_code == 401 and "revoked" in refused.json()["problem"]


def test_the_ledger_names_the_caller_as_actor(world, client):
    response = client.post(f"{API_PREFIX}/protected/works", headers=world.auth("legal"),
                           json={"title": "The Quiet Harbour", "characters": ["Maren Holt"]})
    assert response.status_code == 201, response.text
    with world.studio.transaction() as tx:
        last = list(tx.ledger.entries())[-1]
    assert (last.event.kind, last.event.actor) == ("protected.work.added", "Lee Legal (legal)")
