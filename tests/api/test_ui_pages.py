"""The review UI's pages in-process (no browser, no sample faces): sessions, refusals, and what a talent
representative's job page leaves out. The browser tests (test_ui_browser.py) drive the same pages in Chromium."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from greenlight.api.app import create_app  # noqa: E402
from greenlight.api.auth import SESSION_COOKIE  # noqa: E402
from greenlight.domain import Decision, Job, JobInput, JobState, Reason, Verdict  # noqa: E402
from greenlight.domain.access import Role  # noqa: E402
from greenlight.runtime.access import issue  # noqa: E402
from greenlight.runtime.registry import add_production, add_talent  # noqa: E402
from greenlight.runtime.studio import Studio  # noqa: E402


def in_review(job: Job) -> Job:
    for state in (JobState.PREFLIGHT, JobState.RUNNING, JobState.POSTFLIGHT, JobState.IN_REVIEW):
        job = job.to(state, by="executor")
    return job


@pytest.fixture
def studio(tmp_path, monkeypatch):
    """Dana Reyes and Lee Park, and one job in review whose decision names both (a two-shot); Kim Cho in none."""
    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    studio = Studio.create(tmp_path / "studio")
    production = add_production(studio, "NS", "Night Shift", "admin")
    dana, lee = add_talent(studio, "Dana Reyes", "casting"), add_talent(studio, "Lee Park", "casting")
    add_talent(studio, "Kim Cho", "casting")  # in no job
    job = in_review(Job(engine="ingest", params={}, production_id=production.id, requested_by="Ana (artist)",
                        inputs=(JobInput(sha256="c" * 64, name="two_shot.jpg", media="image"),)))
    reasons = (Reason(Verdict.ALLOW, "consent.covered", "Dana Reyes is covered", dana.id),
               Reason(Verdict.ALLOW, "consent.covered", "Lee Park is covered", lee.id))
    with studio.transaction() as tx:
        tx.registry.add(job)
        tx.record(f"job.{job.state.value}", job, "executor")  # as the executor leaves it: the gates check the row
        tx.registry.add_decision(Decision.from_reasons(reasons, production_id=production.id, use="ingest",
                                                       subject=job.id, stage="postflight"))
    studio.ids = {"dana": dana.id, "lee": lee.id, "job": job.id}
    return studio


def client_for(studio: Studio, role: Role | None = None, talent: str | None = None) -> TestClient:
    client = TestClient(create_app(studio.home), follow_redirects=False)
    if role is not None:
        _, secret = issue(studio, f"A {role.value}", role, "admin", talent)
        client.cookies.set(SESSION_COOKIE, secret)
    return client


def test_signing_in_sets_an_httponly_samesite_strict_cookie_and_lands_by_role(studio):
    _, secret = issue(studio, "Sam Okafor", Role.TALENT_REP, "admin", "Dana Reyes")
    response = client_for(studio).post("/ui/signin", data={"token": secret})
    assert response.status_code == 303 and response.headers["location"] == "/ui/talent"  # then their own
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}={secret};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


@pytest.mark.parametrize("token", ["glt_nothing", "", "   "])
def test_a_bad_token_sets_no_cookie(studio, token):
    response = client_for(studio).post("/ui/signin", data={"token": token})
    assert response.status_code == 401 and "set-cookie" not in response.headers
    assert "Not signed in" in response.text


def test_a_page_without_a_session_asks_to_sign_in_and_the_front_page_is_the_ui(studio):
    client = client_for(studio)
    response = client.get("/ui/queue")
    assert response.status_code == 401 and 'name="token"' in response.text and "Not signed in" not in response.text
    assert client.get("/").headers["location"] == "/ui/"
    assert client.get("/ui/").headers["location"] == "/ui/signin"
    css = client.get("/ui/static/greenlight.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/ui/static/..%2Fbase.py").status_code == 404


def test_a_talent_reps_job_page_leaves_out_the_other_talent(studio):
    page = client_for(studio, Role.TALENT_REP, "Dana Reyes").get(f"/ui/jobs/{studio.ids['job']}")
    assert page.status_code == 200 and "Dana Reyes is covered" in page.text
    assert "Lee Park" not in page.text and "1 reason about other people not shown" in page.text
    assert page.headers["cache-control"] == "no-store, private"
    reviewer = client_for(studio, Role.REVIEWER).get(f"/ui/jobs/{studio.ids['job']}")
    assert "Lee Park is covered" in reviewer.text and "Postflight" in reviewer.text


@pytest.mark.parametrize(("role", "talent", "form"), [
    (Role.TALENT_REP, "Dana Reyes", "review"),  # a representative does not review
    (Role.ARTIST, None, "review"),
    (Role.REVIEWER, None, "veto"),  # only a representative vetoes
    (Role.TALENT_REP, "Kim Cho", "veto"),  # and only a draft that shows their talent
    (Role.REVIEWER, None, "clear"),  # only legal gives written approval
])
def test_a_form_posted_by_the_wrong_role_is_refused_and_changes_nothing(studio, role, talent, form):
    job_id = studio.ids["job"]
    with studio.transaction() as tx:
        before = len(list(tx.ledger.entries()))
    data = {"note": "posted by hand to see what happens", "decision": "approve"}
    response = client_for(studio, role, talent).post(f"/ui/jobs/{job_id}/{form}", data=data)
    with studio.transaction() as tx:
        job, after = tx.registry.get(Job, job_id), len(list(tx.ledger.entries()))
    assert response.status_code == 403 and "Nothing was changed" in response.text
    assert job.state is JobState.IN_REVIEW and not job.vetoes and after == before + 1  # + the token issued


def test_a_talent_rep_cannot_open_another_talents_page(studio):
    client = client_for(studio, Role.TALENT_REP, "Dana Reyes")
    assert client.get(f"/ui/talent/{studio.ids['lee']}").status_code == 403
    assert client.get("/ui/ledger").status_code == 403
    assert client.get("/ui/talent").headers["location"] == f"/ui/talent/{studio.ids['dana']}"


def test_a_form_posted_from_another_site_is_refused(studio):
    client = client_for(studio, Role.REVIEWER)
    response = client.post(f"/ui/jobs/{studio.ids['job']}/review", headers={"origin": "https://elsewhere.example"},
                           data={"note": "approve from a forged form", "decision": "approve"})
    assert response.status_code == 403 and "is not this studio" in response.text
    with studio.transaction() as tx:
        assert tx.registry.get(Job, studio.ids["job"]).state is JobState.IN_REVIEW


def test_the_talent_page_shows_the_last_day_a_grant_covers_as_the_cli_does(studio):
    """`--until 2027-12-31` covers that whole day: the page says 2027-12-31, not the exclusive end 2028-01-01."""
    from datetime import UTC, datetime

    from greenlight.domain import RateUnit, Talent, Use
    from greenlight.runtime.consent import GrantTerms, grant_consent

    terms = GrantTerms(use=Use.DIGITAL_ALTERATION, signed_by="Dana Reyes", rate="300", unit=RateUnit.PER_SECOND,
                       description="De-age by about ten years in the rehearsal flashback of episode two, for streaming",
                       valid_from=datetime(2026, 1, 5, tzinfo=UTC), valid_until=datetime(2028, 1, 1, tzinfo=UTC))
    with studio.transaction() as tx:
        dana = tx.registry.get(Talent, studio.ids["dana"])
    grant_consent(studio, dana, terms, "casting")
    page = client_for(studio, Role.PRODUCER).get(f"/ui/talent/{studio.ids['dana']}").text
    assert "2026-01-05 to 2027-12-31" in page and "2028-01-01" not in page


def test_a_revoked_grant_set_back_to_active_in_its_row_is_never_shown_live_to_the_talent(studio):
    """What a talent's representative reads is what the guards read: the grant as the ledger recorded it, not
    as a row edited behind the ledger's back says."""
    import json
    from datetime import UTC, datetime

    from sqlalchemy import text

    from greenlight.domain import GrantState, RateUnit, Talent, Use
    from greenlight.runtime.consent import GrantTerms, change_grant, grant_consent

    terms = GrantTerms(use=Use.DIGITAL_ALTERATION, signed_by="Dana Reyes", rate="300", unit=RateUnit.PER_SECOND,
                       description="De-age by about ten years in the rehearsal flashback of episode two, for streaming",
                       valid_from=datetime(2026, 1, 5, tzinfo=UTC), valid_until=datetime(2028, 1, 1, tzinfo=UTC))
    with studio.transaction() as tx:
        dana = tx.registry.get(Talent, studio.ids["dana"])
    grant = grant_consent(studio, dana, terms, "casting")
    change_grant(studio, grant.id, GrantState.REVOKED, "Dana Reyes", "withdrawn")
    with studio.database.engine.begin() as conn:
        record = json.loads(conn.execute(text("SELECT record FROM consent_grants WHERE id = :id"),
                                         {"id": grant.id}).scalar_one())
        record.update(state="active", history=[])
        conn.execute(text("UPDATE consent_grants SET record = :r, state = 'active' WHERE id = :id"),
                     {"r": json.dumps(record), "id": grant.id})
    page = client_for(studio, Role.PRODUCER).get(f"/ui/talent/{studio.ids['dana']}").text
    row = page[page.index(grant.id):][:600]
    assert "revoked" in row and "active" not in row, row


def test_a_vetoed_draft_offers_the_reviewer_reject_not_approve_and_reject_works(studio):
    """A vetoed draft can only be rejected (README, docs/ui.md): the page must offer that, or it waits for good."""
    from greenlight.runtime.jobs import veto

    veto(studio, studio.ids["job"], studio.ids["dana"], "Sam Okafor (talent-rep)", "not the performance agreed")
    client = client_for(studio, Role.REVIEWER)
    page = client.get(f"/ui/jobs/{studio.ids['job']}").text
    assert 'value="reject"' in page and 'value="approve"' not in page and "cannot be approved" in page
    rejected = client.post(f"/ui/jobs/{studio.ids['job']}/review", data={"note": "vetoed by the talent",
                                                                        "decision": "reject"})
    assert rejected.status_code == 303
    with studio.transaction() as tx:
        assert tx.registry.get(Job, studio.ids["job"]).state is JobState.REJECTED


def test_a_download_through_the_service_is_labelled_as_the_delivery_gate_it_is(studio):
    reasons = (Reason(Verdict.ALLOW, "consent.covered", "Dana Reyes is covered", studio.ids["dana"]),)
    with studio.transaction() as tx:
        job = tx.registry.get(Job, studio.ids["job"])
        tx.registry.add_decision(Decision.from_reasons(reasons, production_id=job.production_id, use="ingest",
                                                       subject=job.id, stage="download"))
    page = client_for(studio, Role.REVIEWER).get(f"/ui/jobs/{studio.ids['job']}").text
    assert "Download (delivered through the service)" in page


@pytest.mark.parametrize("case", ["delivered-then-blocked", "blocked-before-delivery", "revoked-before-delivery"])
def test_the_talent_page_owes_only_what_was_delivered_or_may_still_be(studio, case):
    """Use delivered while the grant was live stays owed after the grant is withdrawn and the job blocked; an
    approved job blocked before any delivery, or whose grant was revoked before it, owes nothing. The page says
    which, as the report does."""
    from dataclasses import replace
    from datetime import timedelta

    from greenlight.domain import GrantState, RateUnit, Talent, Usage, Use, utcnow
    from greenlight.runtime.consent import GrantTerms, change_grant, grant_consent

    terms = GrantTerms(use=Use.DIGITAL_ALTERATION, signed_by="Dana Reyes", rate="300", unit=RateUnit.PER_IMAGE,
                       description="De-age by about ten years in the rehearsal flashback of episode two, for streaming",
                       valid_from=utcnow() - timedelta(days=1), valid_until=utcnow() + timedelta(days=30))
    with studio.transaction() as tx:
        dana = tx.registry.get(Talent, studio.ids["dana"])
    grant = grant_consent(studio, dana, terms, "casting")
    with studio.transaction() as tx:
        job = tx.registry.get(Job, studio.ids["job"])
        job = replace(job, usage=(Usage(grant.id, dana.id, RateUnit.PER_IMAGE.value, 1.0),)).to(
            JobState.APPROVED, by="supervisor")
        tx.registry.update(job)
        tx.record("job.approved", job, "supervisor")
        if case == "delivered-then-blocked":
            tx.record("job.exported", job, "editor", files=["job-1.png"])
        if case != "revoked-before-delivery":
            job = job.to(JobState.BLOCKED, by="editor", note="consent withdrawn")
            tx.registry.update(job)
            tx.record("job.blocked", job, "editor")
    if case != "blocked-before-delivery":
        change_grant(studio, grant.id, GrantState.REVOKED, "Dana Reyes", "withdrawn")
    page = client_for(studio, Role.PRODUCER).get(f"/ui/talent/{studio.ids['dana']}").text
    if case == "delivered-then-blocked":
        assert "delivered before it was blocked:" in page and "300.00 USD owed" in page
    else:
        assert "nothing owed" in page and "300.00 USD owed" not in page and "Nothing owed yet" in page
