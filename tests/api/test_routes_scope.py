"""What each caller sees and may do: a talent rep nothing of other talent, an artist their own jobs, downloads
only of approved outputs, written approvals only by legal."""

from __future__ import annotations

from greenlight.api.app import API_PREFIX
from greenlight.domain import Job

from .conftest import LEAD, LEAD_PHOTO, SECOND, SECOND_TAKE, STRANGER


def ids(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {j["id"] for j in response.json()}


def output_of(world, job_key: str) -> str:
    with world.studio.transaction() as tx:
        return tx.registry.get(Job, world.jobs[job_key]).outputs[0]


def test_each_talent_rep_lists_and_counts_only_the_jobs_showing_their_talent(world, client):
    jobs = world.jobs
    assert ids(client.get(f"{API_PREFIX}/jobs", headers=world.auth("rep"))) >= {jobs["lead"], jobs["lead_approved"]}
    for who, others in (("rep", ("second", "second_approved", "stranger")),
                        ("other_rep", ("lead", "lead_approved", "stranger"))):
        seen = ids(client.get(f"{API_PREFIX}/jobs", headers=world.auth(who)))
        queue = ids(client.get(f"{API_PREFIX}/review", headers=world.auth(who)))
        assert not seen & {jobs[k] for k in others} and not queue & {jobs[k] for k in others}
    assert ids(client.get(f"{API_PREFIX}/review", headers=world.auth("rep"))) >= {jobs["lead"]}


def test_a_talent_rep_cannot_open_follow_preview_or_download_another_talents_job(world, client):
    rep = world.auth("rep")
    for path in (f"/jobs/{world.jobs['second']}", f"/jobs/{world.jobs['second']}/events",
                 f"/assets/{output_of(world, 'second')}/preview",
                 f"/assets/{output_of(world, 'second_approved')}/download"):
        before = world.ledger_length()
        response = client.get(API_PREFIX + path, headers=rep)
        assert response.status_code == 403, (path, response.text)
        assert world.ledger_length() == before


def test_to_a_talent_rep_an_unknown_asset_looks_like_one_they_may_not_see(world, client):
    with world.studio.transaction() as tx:
        held = tx.registry.asset(output_of(world, "second")).sha256
    answers = [client.get(f"{API_PREFIX}/assets/{ref}/{what}", headers=world.auth("rep"))
               for ref in (held, "0" * 64) for what in ("preview", "download")]
    assert [a.status_code for a in answers] == [403] * 4
    said = {a.json()["problem"].replace(held, "X").replace("0" * 64, "X") for a in answers}
    assert said == {"asset X is not of a job a talent-rep token can see"}
    assert client.get(f"{API_PREFIX}/assets/{'0' * 64}/preview", headers=world.auth("reviewer")).status_code == 404


def test_a_talent_rep_sees_only_their_talent_and_grants(world, client):
    rep = world.auth("rep")
    assert [t["name"] for t in client.get(f"{API_PREFIX}/talent", headers=rep).json()] == [LEAD]
    own = client.get(f"{API_PREFIX}/consent", params={"talent": LEAD.upper()}, headers=rep).json()
    assert own and {g["talent_id"] for g in own} == {world.lead.id}
    for named in (SECOND, "Nobody Enrolled"):  # the same answer whether the studio knows the name or not
        refused = client.get(f"{API_PREFIX}/consent", params={"talent": named}, headers=rep)
        assert refused.status_code == 403 and refused.json()["problem"] == f"{named!r} is not the talent this " \
            "token represents"
    assert len(client.get(f"{API_PREFIX}/consent", headers=world.auth("producer")).json()) >= 2


def test_a_talent_rep_suspends_and_revokes_only_their_own_talents_grants(world, client):
    before = world.ledger_length()
    refused = client.post(f"{API_PREFIX}/consent/{world.grants[SECOND]}/suspend", headers=world.auth("rep"),
                          json={"reason": "strike"})
    assert refused.status_code == 403 and world.ledger_length() == before
    grant = client.post(f"{API_PREFIX}/consent", headers=world.auth("producer"), json={
        "talent": LEAD, "use": "previs", "description": "Previs frames of Eileen Collins for the hangar sequence of "
        "episode three, internal only", "until": "2027-06-30", "signed_by": LEAD, "rate": "0", "unit": "flat",
        "production": "NIGHTFALL"})
    assert grant.status_code == 201, grant.text
    grant_id = grant.json()["id"]
    suspended = client.post(f"{API_PREFIX}/consent/{grant_id}/suspend", headers=world.auth("rep"),
                            json={"reason": "strike"})
    assert suspended.json()["state"] == "suspended"
    assert client.post(f"{API_PREFIX}/consent/{grant_id}/resume", headers=world.auth("rep"),
                       json={"reason": "over"}).status_code == 403
    assert client.post(f"{API_PREFIX}/consent/{grant_id}/revoke", headers=world.auth("rep"),
                       json={"reason": "no more previs"}).json()["state"] == "revoked"
    with world.studio.transaction() as tx:
        actors = [e.event.actor for e in tx.ledger.entries() if e.event.subject == grant_id]
    assert actors == ["Pat Producer (producer)", "Sam Rep (talent-rep)", "Sam Rep (talent-rep)"]


def test_verify_names_the_job_only_to_those_who_can_see_it(world, client):
    output = output_of(world, "lead_approved")
    picture = client.get(f"{API_PREFIX}/assets/{output}/download", headers=world.auth("rep"))
    assert picture.status_code == 200
    sent = {"file": ("found_online.png", picture.content)}
    own = client.post(f"{API_PREFIX}/verify", headers=world.auth("rep"), files=sent).json()
    other = client.post(f"{API_PREFIX}/verify", headers=world.auth("other_rep"), files=sent).json()
    assert own["verified"] and own["job"]["id"] == world.jobs["lead_approved"] and own["file"] == "found_online.png"
    assert other["verified"] and other["job"] is None and other["asset"] is None


def test_an_artist_sees_and_cancels_only_their_own_jobs(world, client):
    seen = ids(client.get(f"{API_PREFIX}/jobs", headers=world.auth("artist")))
    assert world.jobs["lead"] in seen and world.jobs["second"] not in seen
    queued = world.submit_queued("producer")
    before = world.ledger_length()
    refused = client.post(f"{API_PREFIX}/jobs/{queued}/cancel", headers=world.auth("artist"), json={"note": "mine?"})
    assert refused.status_code == 403 and world.ledger_length() == before
    done = client.post(f"{API_PREFIX}/jobs/{queued}/cancel", headers=world.auth("producer"), json={"note": "recut"})
    assert done.json()["state"] == "cancelled"


def test_only_approved_outputs_are_downloaded_and_the_ledger_records_it(world, client):
    draft = client.get(f"{API_PREFIX}/assets/{output_of(world, 'lead')}/download", headers=world.auth("artist"))
    assert draft.status_code == 403 and "only approved" in draft.json()["problem"]
    assert client.get(f"{API_PREFIX}/assets/{output_of(world, 'lead')}/preview",
                      headers=world.auth("reviewer")).status_code == 200
    reviewer = client.get(f"{API_PREFIX}/assets/{output_of(world, 'lead_approved')}/download",
                          headers=world.auth("reviewer"))
    assert reviewer.status_code == 403
    taken = client.get(f"{API_PREFIX}/assets/{output_of(world, 'lead_approved')}/download",
                       headers=world.auth("artist"))
    assert taken.status_code == 200 and taken.content[:8] == b"\x89PNG\r\n\x1a\n"
    with world.studio.transaction() as tx:
        last = [e.event for e in tx.ledger.entries() if e.event.kind == "job.exported"][-1]
    assert (last.subject, last.actor, last.payload["via"]) == (world.jobs["lead_approved"], "Ana Artist (artist)",
                                                               "service")


def test_a_download_after_consent_is_revoked_blocks_the_job_instead(world, client):
    job = world.ingest(SECOND_TAKE, "producer", approve=True)
    with world.studio.transaction() as tx:
        covering = tx.registry.get(Job, job.id).usage[0].grant_id
    client.post(f"{API_PREFIX}/consent/{covering}/suspend", headers=world.auth("other_rep"), json={"reason": "strike"})
    try:
        refused = client.get(f"{API_PREFIX}/assets/{job.outputs[0]}/download", headers=world.auth("producer"))
        assert refused.status_code == 409 and refused.json()["error"] == "Blocked"
        assert client.get(f"{API_PREFIX}/jobs/{job.id}", headers=world.auth("producer")).json()["job"]["state"] == \
            "blocked"
    finally:
        client.post(f"{API_PREFIX}/consent/{covering}/resume", headers=world.auth("producer"), json={"reason": "over"})


def test_review_through_the_service(world, client):
    job = world.ingest(LEAD_PHOTO, "artist")
    before = world.ledger_length()
    empty = client.post(f"{API_PREFIX}/jobs/{job.id}/approve", headers=world.auth("reviewer"), json={"note": " "})
    assert empty.status_code == 422 and world.ledger_length() == before
    approved = client.post(f"{API_PREFIX}/jobs/{job.id}/approve", headers=world.auth("reviewer"),
                           json={"note": "matches the brief"})
    assert approved.json()["state"] == "approved" and approved.json()["usage"][0]["talent_id"] == world.lead.id
    again = client.post(f"{API_PREFIX}/jobs/{job.id}/reject", headers=world.auth("reviewer"), json={"note": "no"})
    assert again.status_code == 409


def test_only_legal_clears_an_escalation_in_writing(world, client):
    job = world.ingest(STRANGER, "producer")
    assert job.state.value == "escalated"
    for who, note, status in (("admin", "identified as a licensed double", 422),
                              ("legal", "ok", 422)):
        before = world.ledger_length()
        response = client.post(f"{API_PREFIX}/jobs/{job.id}/clear", headers=world.auth(who), json={"note": note})
        assert response.status_code == status, response.text
        assert world.ledger_length() == before
    cleared = client.post(f"{API_PREFIX}/jobs/{job.id}/clear", headers=world.auth("legal"),
                          json={"note": "identified as a licensed double, contract on file"})
    assert cleared.json()["state"] == "queued"
    assert cleared.json()["approvals"][0]["by"] == "Lee Legal (legal)"
    client.post(f"{API_PREFIX}/jobs/{job.id}/cancel", headers=world.auth("producer"), json={"note": "done here"})
