"""The talent side through the service: a representative vetoes a draft showing their talent (approval is then
refused), and reads their talent's usage and what is owed, never another's."""

from __future__ import annotations

from greenlight.api.app import API_PREFIX

from .conftest import LEAD_PHOTO, SECOND


def test_a_veto_by_the_talents_rep_blocks_approval_but_not_rejection(world, client):
    job = world.ingest(LEAD_PHOTO, "artist")
    before = world.ledger_length()
    assert client.post(f"{API_PREFIX}/jobs/{job.id}/veto", headers=world.auth("rep"),
                       json={"note": " "}).status_code == 422
    assert client.post(f"{API_PREFIX}/jobs/{job.id}/veto", headers=world.auth("other_rep"),
                       json={"note": "not mine"}).status_code == 403
    assert world.ledger_length() == before
    vetoed = client.post(f"{API_PREFIX}/jobs/{job.id}/veto", headers=world.auth("rep"),
                         json={"note": "the smile reads wrong for her"})
    assert vetoed.status_code == 200, vetoed.text
    assert vetoed.json()["vetoes"][0]["by"] == "Sam Rep (talent-rep)"
    refused = client.post(f"{API_PREFIX}/jobs/{job.id}/approve", headers=world.auth("reviewer"),
                          json={"note": "looks fine to me"})
    assert refused.status_code == 409 and refused.json()["error"] == "Vetoed", refused.text
    rejected = client.post(f"{API_PREFIX}/jobs/{job.id}/reject", headers=world.auth("reviewer"),
                           json={"note": "vetoed by the talent"})
    assert rejected.json()["state"] == "rejected"


def test_a_rep_cannot_veto_for_another_talent_even_by_naming_them(world, client):
    before = world.ledger_length()
    response = client.post(f"{API_PREFIX}/jobs/{world.jobs['lead']}/veto", headers=world.auth("rep"),
                           json={"note": "for him", "talent": SECOND})
    assert response.status_code == 403 and world.ledger_length() == before


def test_usage_is_reported_per_talent_and_a_rep_gets_only_their_own(world, client):
    from greenlight.runtime.reports import usage_report

    everyone = client.get(f"{API_PREFIX}/reports/usage", headers=world.auth("producer")).json()
    assert {line["talent_id"] for line in everyone["lines"]} == {world.lead.id, world.second.id}
    own = client.get(f"{API_PREFIX}/reports/usage", headers=world.auth("rep")).json()
    assert own == usage_report(world.studio, talent=world.lead.id).to_plain()
    assert {line["talent_id"] for line in own["lines"]} == {world.lead.id}
    assert {t["talent_id"] for t in own["totals"]} == {world.lead.id}
    for named in (SECOND, "Nobody Enrolled"):
        refused = client.get(f"{API_PREFIX}/reports/usage", params={"talent": named}, headers=world.auth("rep"))
        assert refused.status_code == 403, refused.text
    csv = client.get(f"{API_PREFIX}/reports/usage", params={"format": "csv"}, headers=world.auth("other_rep"))
    assert csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.strip().splitlines()
    assert len(rows) >= 2 and all(row.startswith(world.second.id) for row in rows[1:])
