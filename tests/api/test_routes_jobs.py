"""Jobs through the service: submitted with uploads or studio assets, followed as server-sent events while the
service's executor runs them; the registry, the ledger and OpenAPI as the service shows them."""

from __future__ import annotations

import json

import pytest

from greenlight.api.app import API_PREFIX, rest_routers
from greenlight.domain import Job

from .conftest import LEAD_PHOTO, STRANGER


def events(client, world, job_id: str, who: str = "artist") -> list[tuple[str, dict]]:
    """The job's event stream, read to its end, as (event, data) pairs."""
    with client.stream("GET", f"{API_PREFIX}/jobs/{job_id}/events", headers=world.auth(who)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = response.read().decode()
    found = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
        if "event" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found


def submit(client, world, who: str = "artist", photo: str = LEAD_PHOTO, **form):
    data = {"engine": "ingest", "production": "NIGHTFALL", "params": json.dumps({"tool": "Runway Gen-4"}), **form}
    with world.take(photo).open("rb") as file:
        return client.post(f"{API_PREFIX}/jobs", headers=world.auth(who), data=data,
                           files=[("files", ("take_from_set.png", file, "image/png"))])


def test_a_submitted_job_runs_beside_the_service_and_its_progress_streams_to_the_end(world, client):
    from greenlight.api.progress import Board
    from greenlight.api.worker import QueueWorker

    response = submit(client, world)
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["state"] == "queued" and job["inputs"][0]["name"] == "take_from_set.png"
    assert job["requested_by"] == "Ana Artist (artist)"
    client.app.state.progress = board = Board()
    worker = QueueWorker(world.studio, board, poll=0.1)
    worker.start()
    try:
        stream = events(client, world, job["id"])
    finally:
        assert worker.stop(wait=120)
        client.app.state.progress = None
    kinds = [kind for kind, _ in stream]
    states = [data["state"] for kind, data in stream if kind == "state"]
    assert states == ["preflight", "running", "postflight", "in_review"]
    assert kinds[-1] == "end" and stream[-1][1] == {"job": job["id"], "state": "in_review"}
    assert "progress" in kinds, kinds
    fractions = [data["fraction"] for kind, data in stream if kind == "progress"]
    assert all(0 <= f <= 1 for f in fractions)


def test_a_settled_jobs_stream_gives_its_history_and_ends(world, client):
    stream = events(client, world, world.jobs["stranger"], who="producer")
    assert [d["state"] for k, d in stream if k == "state"] == ["preflight", "running", "postflight", "escalated"]
    assert stream[-1] == ("end", {"job": world.jobs["stranger"], "state": "escalated"})


@pytest.mark.parametrize(("form", "status", "problem"), [
    ({"params": "{not json"}, 422, "not JSON"),
    ({"params": "[1, 2]"}, 422, "JSON object"),
    ({"params": "{}"}, 422, "name of the outside tool"),
    ({"engine": "warp-drive"}, 404, "no engine named 'warp-drive'"),
    ({"production": "NOSUCH"}, 404, "NOSUCH"),
    ({"engine": "moodboard", "params": json.dumps({"brief": "a hangar", "library": "/etc"})}, 422,
     "outside the studio folder"),
])
def test_a_refused_submission_stores_nothing(world, client, form, status, problem):
    before, jobs = world.ledger_length(), len(client.get(f"{API_PREFIX}/jobs", headers=world.auth("admin")).json())
    response = submit(client, world, **form)
    assert response.status_code == status, response.text
    assert problem in response.json()["problem"]
    assert world.ledger_length() == before
    assert len(client.get(f"{API_PREFIX}/jobs", headers=world.auth("admin")).json()) == jobs


def test_a_job_takes_studio_assets_the_caller_can_see(world, client):
    with world.studio.transaction() as tx:
        own = tx.registry.asset(tx.registry.get(Job, world.jobs["lead"]).outputs[0])
        others = tx.registry.asset(tx.registry.get(Job, world.jobs["second"]).outputs[0])
    data = {"engine": "ingest", "production": "NIGHTFALL", "params": json.dumps({"tool": "Flame"})}
    refused = client.post(f"{API_PREFIX}/jobs", headers=world.auth("artist"), data={**data, "assets": [others.sha256]})
    assert refused.status_code == 403, refused.text
    taken = client.post(f"{API_PREFIX}/jobs", headers=world.auth("artist"), data={**data, "assets": [own.sha256]})
    assert taken.status_code == 201, taken.text
    assert taken.json()["inputs"][0]["sha256"] == own.sha256
    client.post(f"{API_PREFIX}/jobs/{taken.json()['id']}/cancel", headers=world.auth("artist"), json={"note": "x"})


def test_a_jobs_decisions_come_with_their_stage(world, client):
    shown = client.get(f"{API_PREFIX}/jobs/{world.jobs['lead']}", headers=world.auth("rep")).json()
    assert [d["stage"] for d in shown["decisions"]] == ["preflight", "postflight", "publish"]
    assert {a["role"] for a in shown["assets"]} == {"output"}


def test_the_ledger_verifies_and_exports_as_the_cli_does(world, client):
    from greenlight.runtime.ledgerbook import audit_plain, export_ledger, verify_ledger

    checked = client.get(f"{API_PREFIX}/ledger/verify", headers=world.auth("legal")).json()
    assert checked["ok"] and checked["protected"], checked["problems"]
    assert checked.keys() == audit_plain(verify_ledger(world.studio)).keys()
    exported = client.get(f"{API_PREFIX}/ledger/export", headers=world.auth("legal"))
    target = world.studio.home / "exports" / "ledger.jsonl"
    target.parent.mkdir(exist_ok=True)
    count = export_ledger(world.studio, target)
    assert exported.content == target.read_bytes() and exported.content.count(b"\n") == count


def test_openapi_documents_every_route_and_its_body(client):
    schema = client.get(f"{API_PREFIX}/openapi.json").json()
    for router in rest_routers():
        for route in router.routes:
            for method in route.methods:
                operation = schema["paths"][API_PREFIX + route.path][method.lower()]
                assert operation["description"] or operation["summary"], route.name
                if route.body_field is not None:
                    assert "requestBody" in operation, route.name
    events_route = schema["paths"][f"{API_PREFIX}/jobs/{{job_id}}/events"]["get"]
    assert "text/event-stream" in events_route["responses"]["200"]["content"]
    assert {"JobForm", "GrantRequest", "TokenRequest"} <= set(schema["components"]["schemas"]) | {
        s.removeprefix("Body_") for s in schema["components"]["schemas"]}


@pytest.fixture
def bare_service(tmp_path, analyzer, monkeypatch):
    """A studio with only an admin token and a production, served in-process."""
    from fastapi.testclient import TestClient

    from greenlight.api.app import create_app
    from greenlight.domain.access import Role
    from greenlight.runtime.access import issue
    from greenlight.runtime.registry import add_production
    from greenlight.runtime.studio import Studio

    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    studio = Studio.create(tmp_path / "studio")
    add_production(studio, "NIGHTFALL", "Nightfall", "setup")
    secret = issue(studio, "Root Admin", Role.ADMIN, "setup")[1]
    app = create_app(studio.home)
    app.state.studio.__dict__["analyzer"] = analyzer
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {secret}"}, studio


def test_talent_is_added_and_enrolled_by_upload_and_a_bad_photo_enrols_none(bare_service, faces, tmp_path):
    client, admin, studio = bare_service
    added = client.post(f"{API_PREFIX}/talent", headers=admin, json={"name": "Marcus Vale", "aliases": ["M. Vale"]})
    assert added.status_code == 201, added.text
    (tmp_path / "blank.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with (faces / STRANGER).open("rb") as good, (tmp_path / "blank.png").open("rb") as bad:
        refused = client.post(f"{API_PREFIX}/talent/Marcus Vale/photos", headers=admin,
                              files=[("photos", ("vale_1.jpg", good)), ("photos", ("vale_2.png", bad))])
    assert refused.status_code == 422 and "vale_2.png" in refused.json()["problem"], refused.text
    assert refused.json()["problem"].startswith("vale_2.png: "), "named as sent, not by the server's private copy"
    assert client.get(f"{API_PREFIX}/talent", headers=admin).json()[0]["photos"] == 0
    with (faces / STRANGER).open("rb") as good:
        enrolled = client.post(f"{API_PREFIX}/talent/Marcus Vale/photos", headers=admin,
                               files=[("photos", ("vale_1.jpg", good))])
    assert enrolled.status_code == 201, enrolled.text
    assert client.get(f"{API_PREFIX}/talent", headers=admin).json()[0]["photos"] == 1
    assert not (studio.home / ".uploads").exists() or not any((studio.home / ".uploads").iterdir())


def test_protected_persons_and_works_are_added_and_listed(bare_service):
    client, admin, _ = bare_service
    person = client.post(f"{API_PREFIX}/protected/persons", headers=admin,
                         data={"name": "Senator Ada Vance", "aliases": ["Ada Vance", "埃达·万斯"],
                               "note": "public figure"})
    assert person.status_code == 201, person.text
    assert person.json()["aliases"] == ["Ada Vance", "埃达·万斯"]
    listed = client.get(f"{API_PREFIX}/protected", headers=admin).json()
    assert [p["name"] for p in listed["persons"]] == ["Senator Ada Vance"] and listed["works"] == []
