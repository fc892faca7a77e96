"""The review web UI in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright, against
the service on a loopback port, over a studio where real de-aging jobs ran on a still of a consented talent.

Set GREENLIGHT_UI_SCREENSHOTS=docs/images to save a 1280×800 screenshot of each page there (docs/ui.md).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from greenlight.domain import Job, JobState, RateUnit, Use, utcnow
from greenlight.domain.access import Role
from greenlight.runtime.access import issue, revoke
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from greenlight.runtime.studio import Studio
from tests.runtime.conftest import LEAD_PHOTO, PRODUCTION, SECOND_PHOTO, Cast

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = f"no Chromium at {CHROMIUM} (Debian's `chromium` package; .ci/run installs it)"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SCREENSHOTS = os.environ.get("GREENLIGHT_UI_SCREENSHOTS")


@dataclass
class Service:
    url: str
    cast: Cast
    secrets: dict[str, str]  # who → token secret
    jobs: dict[str, str]  # what → job id

    @property
    def studio(self) -> Studio:
        return self.cast.studio

    def job(self, what: str) -> Job:
        with self.studio.transaction() as tx:
            return tx.registry.get(Job, self.jobs[what])


def deage_still(cast: Cast, seed: int) -> Job:
    """A real de-aging job on Eileen Collins's still, run through the guards to review."""
    params = {"talent_id": cast.lead.id, "years": 20, "reshape": True}
    job = submit(cast.studio, "deage", params, [cast.faces / LEAD_PHOTO], PRODUCTION, "Bo Lind (artist)", seed)
    job = LocalExecutor(cast.studio).run(job.id)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note
    return job


def escalated_ingest(cast: Cast) -> Job:
    """An outside picture of a face nobody enrolled: it waits for legal's written approval."""
    params = {"tool": "Vendor Paint", "use": Use.PREVIS.value}
    job = submit(cast.studio, "ingest", params, [cast.faces / "obama" / "obama.jpg"], PRODUCTION, "Bo Lind (artist)")
    job = LocalExecutor(cast.studio).run(job.id)
    assert job.state is JobState.ESCALATED, job.history[-1].note
    return job


def make_cast(home: Path, faces: Path, analyzer) -> Cast:
    """Keys, the production, Eileen Collins (consented to de-aging) and Joe Biden, both enrolled."""
    from greenlight.provenance import init_keys
    from greenlight.runtime.registry import add_production, add_talent, enrol
    from greenlight.runtime.signing import keys_folder

    studio = Studio.create(home)
    studio.__dict__["analyzer"] = analyzer  # the session's face models, loaded once
    init_keys(keys_folder(studio))
    add_production(studio, PRODUCTION, "Nightfall", "admin")
    lead, second = add_talent(studio, "Eileen Collins", "casting"), add_talent(studio, "Joe Biden", "casting")
    enrol(studio, lead, [faces / LEAD_PHOTO], "casting")
    enrol(studio, second, [faces / SECOND_PHOTO], "casting")
    cast = Cast(studio, lead, second, faces)
    cast.grant(lead, Use.DIGITAL_ALTERATION, RateUnit.PER_IMAGE)  # 100 USD per approved image
    return cast


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's Chromium and Playwright, or skip (before any studio is built)."""
    if not CHROMIUM.is_file():
        pytest.skip(NO_CHROMIUM)
    pytest.importorskip("playwright", reason="Playwright is not installed (the dev extra has it)")
    return CHROMIUM


@pytest.fixture(scope="module")
def service(chromium, faces, analyzer, tmp_path_factory) -> Iterator[Service]:
    """The studio, its tokens and jobs, and the app served by uvicorn on a free loopback port."""
    uvicorn = pytest.importorskip("uvicorn", reason="uvicorn is not installed (the service extra has it)")
    from greenlight.api.app import create_app

    with pytest.MonkeyPatch.context() as env:
        env.delenv("GREENLIGHT_DATABASE_URL", raising=False)
        cast = make_cast(tmp_path_factory.mktemp("ui") / "studio", faces, analyzer)
    jobs = {"approve": deage_still(cast, 1).id, "veto": deage_still(cast, 2).id, "escalated": escalated_ingest(cast).id}
    people = {"reviewer": ("Ana Ruiz", Role.REVIEWER, None), "legal": ("Dana Fox", Role.LEGAL, None),
              "producer": ("Kit Moss", Role.PRODUCER, None),
              "lead_rep": ("Sam Okafor", Role.TALENT_REP, cast.lead.id),
              "second_rep": ("Lee Park", Role.TALENT_REP, cast.second.id)}
    secrets = {who: issue(cast.studio, name, role, "admin", talent)[1] for who, (name, role, talent) in people.items()}
    server = uvicorn.Server(uvicorn.Config(create_app(cast.studio.home), host="127.0.0.1", port=free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the service did not start"
    yield Service(f"http://127.0.0.1:{server.config.port}", cast, secrets, jobs)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium, service):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(chromium), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (no cookies) with a 1280×800 window."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


def sign_in(context, service: Service, who: str):
    page = context.new_page()
    page.goto(f"{service.url}/ui/signin")
    page.fill("#token", service.secrets[who])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def shoot(page, name: str) -> None:
    """Save the window (1280×800, from the top) as ui_<name>.png in GREENLIGHT_UI_SCREENSHOTS, when it is set."""
    if SCREENSHOTS:
        from PIL import Image

        target = Path(SCREENSHOTS) / f"ui_{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(target))
        Image.open(target).save(target, optimize=True)


def test_a_reviewer_opens_a_deaging_jobs_before_and_after_and_approves_it(context, service):
    job_id = service.jobs["approve"]
    page = sign_in(context, service, "reviewer")
    assert page.url.endswith("/ui/queue")
    [cookie] = context.cookies()
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == ("greenlight_session", True, "Strict")
    shoot(page, "queue")
    page.click(f"a[href='/ui/jobs/{job_id}']")
    page.wait_for_load_state("networkidle")
    assert page.locator("figure.wipe").count() == 2  # the whole picture, and the changed face close up
    wipe = page.locator("figure.wipe").first
    sizes = wipe.locator("img").evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
    assert len(sizes) == 2 and sizes[0] == sizes[1] and sizes[0][0] > 100  # before and after, the same frame
    before, after = (context.request.get(service.url + wipe.locator(f"img.{side}").get_attribute("src"))
                     for side in ("under", "over"))
    assert before.ok and after.ok and before.body() != after.body()  # the de-aged still is not its input
    wipe.locator("input[type=range]").fill("30")
    assert wipe.evaluate("f => f.style.getPropertyValue('--wipe')") == "30%"
    wipe.locator("input[type=range]").fill("50")
    for stage in ("Preflight", "Postflight", "Publish"):
        assert page.get_by_text(stage, exact=False).count() >= 1, stage
    assert page.get_by_text("valid, signed by the studio").count() == 1
    shoot(page, "job")
    page.fill("#note", "right for the flashback")
    page.click("button[value=approve]")
    page.wait_for_load_state()
    assert page.locator("h1 .state").inner_text() == "approved"
    assert service.job("approve").state is JobState.APPROVED
    assert service.job("approve").history[-1].by == "Ana Ruiz (reviewer)"
    assert page.locator("button[value=approve]").count() == 0
    rep = context.browser.new_context(viewport={"width": 1280, "height": 800})
    page = sign_in(rep, service, "lead_rep")  # Eileen Collins's representative sees what she is owed
    assert page.url.endswith(f"/ui/talent/{service.cast.lead.id}")
    assert page.locator(".totals .big").inner_text() == "100.00 USD"  # one approved image × 100 USD
    assert job_id in page.inner_text("main") and service.jobs["veto"] in page.inner_text("main")
    shoot(page, "talent")
    rep.close()


def test_a_talent_rep_vetoes_a_draft_and_it_can_no_longer_be_approved(context, service):
    job_id = service.jobs["veto"]
    rep = context.browser.new_context(viewport={"width": 1280, "height": 800})
    page = sign_in(rep, service, "lead_rep")
    page.goto(f"{service.url}/ui/jobs/{job_id}")
    assert page.locator("button[value=approve]").count() == 0  # a representative reviews nothing
    page.fill("#veto-note", "not this take: the retouch is too strong around the eyes")
    page.click("form[action$='/veto'] button")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1 .state.vetoed").count() == 1 and page.locator("#veto-note").count() == 0
    shoot(page, "job_vetoed")
    rep.close()
    [veto] = service.job("veto").vetoes
    assert veto.talent_id == service.cast.lead.id and veto.by == "Sam Okafor (talent-rep)"

    page = sign_in(context, service, "reviewer")
    page.goto(f"{service.url}/ui/jobs/{job_id}")
    assert page.locator("button[value=approve]").count() == 0
    assert "cannot be approved" in page.inner_text("main")
    forced = context.request.post(f"{service.url}/ui/jobs/{job_id}/review",
                                  form={"note": "approve it anyway", "decision": "approve"})
    assert forced.status == 409 and "vetoed" in forced.text()
    assert service.job("veto").state is JobState.IN_REVIEW
    with service.studio.transaction() as tx:
        assert not [e for e in tx.ledger.entries() if e.event.subject == job_id and e.event.kind == "usage.metered"]


def test_legal_gives_the_written_approval_an_escalated_job_waits_for(context, service):
    job_id = service.jobs["escalated"]
    page = sign_in(context, service, "legal")
    assert page.url.endswith("/ui/escalations") and job_id in page.inner_text("main")
    shoot(page, "escalations")
    page.click(f"a[href='/ui/jobs/{job_id}']")
    page.wait_for_load_state("networkidle")
    assert page.locator(".decision .verdict.escalate").count() >= 1 and page.locator("#clear-note").count() == 1
    assert page.locator("figure.wipe").count() == 0 and page.locator("img.single").count() == 1  # held as it came
    page.go_back()
    page.fill(f"#note-{job_id}", "crowd extra, release form R-114 on file")
    page.click(f"form[action='/ui/jobs/{job_id}/clear'] button")
    page.wait_for_load_state()
    assert job_id not in page.inner_text("main")
    job = service.job("escalated")
    assert job.state is JobState.QUEUED and job.approvals[-1].by == "Dana Fox (legal)"


def test_the_ledger_page_shows_what_ledger_verify_finds(context, service):
    from greenlight.api.ui.records import ledger_report

    page = sign_in(context, service, "producer")
    page.goto(f"{service.url}/ui/ledger")
    report = ledger_report(service.studio)
    assert report.ok and report.protected
    assert page.locator(".verify h2").inner_text() == f"Verified: {report.count} entries, chain intact"
    assert page.locator("tbody tr").count() == min(40, report.count)
    shoot(page, "ledger")
    page.goto(f"{service.url}/ui/talent")
    assert page.locator("tbody tr").count() == 2
    shoot(page, "talent_index")


def test_a_talent_rep_sees_nothing_of_another_talent(context, service):
    page = sign_in(context, service, "second_rep")  # Joe Biden's representative
    assert page.url.endswith(f"/ui/talent/{service.cast.second.id}")
    assert "Joe Biden" in page.inner_text("main") and "Eileen" not in page.content()
    shoot(page, "talent_rep")
    page.goto(f"{service.url}/ui/queue")
    for job_id in service.jobs.values():
        assert job_id not in page.content()
    for where in (f"/ui/jobs/{service.jobs['veto']}", f"/ui/talent/{service.cast.lead.id}"):
        response = page.goto(service.url + where)
        assert response.status == 403 and "Eileen" not in page.content()
    job = service.job("veto")
    with service.studio.transaction() as tx:
        source = tx.registry.asset(job.inputs[0].sha256).id
    for asset_id in (*job.outputs, source):
        response = context.request.get(f"{service.url}/ui/jobs/{job.id}/media/{asset_id}")
        assert response.status == 403 and b"Eileen" not in response.body()
    still = context.request.get(f"{service.url}/ui/jobs/{job.id}/still/{job.outputs[0]}?side=before")
    assert still.status == 403


def test_signing_out_ends_the_session(context, service):
    page = sign_in(context, service, "producer")
    assert page.url.endswith("/ui/queue") and len(context.cookies()) == 1
    page.click("text=Sign out")
    page.wait_for_load_state()
    assert page.url.endswith("/ui/signin") and context.cookies() == []
    assert page.goto(f"{service.url}/ui/queue").status == 401
    assert page.goto(f"{service.url}/").url.endswith("/ui/signin")  # the front page is the UI's


def test_a_revoked_token_ends_its_session_at_once(context, service):
    token, secret = issue(service.studio, "Temp Reviewer", Role.REVIEWER, "admin")
    page = context.new_page()
    page.goto(f"{service.url}/ui/signin")
    page.fill("#token", secret)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/ui/queue")
    revoke(service.studio, token.id, "admin")
    response = page.goto(f"{service.url}/ui/jobs/{service.jobs['approve']}")
    assert response.status == 401 and "is revoked" in page.locator("[role=alert]").inner_text()
    assert context.cookies() == []  # the dead session cookie is cleared


@pytest.mark.parametrize("bad", ["garbage", "revoked", "expired", "empty"])
def test_a_bad_token_cannot_sign_in(context, service, bad):
    if bad == "revoked":
        token, secret = issue(service.studio, "Old Hand", Role.REVIEWER, "admin")
        revoke(service.studio, token.id, "admin")
    elif bad == "expired":
        soon = utcnow() + timedelta(seconds=1)
        _, secret = issue(service.studio, "Day Player", Role.REVIEWER, "admin", expires_at=soon)
        time.sleep(1.2)
    else:
        secret = {"garbage": "glt_" + "x" * 43, "empty": " "}[bad]
    page = context.new_page()
    page.goto(f"{service.url}/ui/signin")
    page.fill("#token", secret)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    alert = page.locator("[role=alert]").inner_text()
    expected = {"garbage": "not one this studio issued", "revoked": "is revoked", "expired": "is expired",
                "empty": "no token was pasted"}[bad]
    assert expected in alert
    if bad == "garbage":
        shoot(page, "signin_refused")
    assert context.cookies() == []
    response = page.goto(f"{service.url}/ui/queue")
    assert response.status == 401 and page.locator("#token").count() == 1


def test_a_deaged_take_plays_side_by_side_in_step(context, service, cast_clip, tmp_path):
    from greenlight.runtime.consent import GrantTerms, grant_consent
    from greenlight.runtime.registry import add_production
    from tests.runtime.conftest import cut

    take = cut(cast_clip.path, tmp_path / "take.mp4", start=cast_clip.lead_alone.start, frames=48)
    add_production(service.studio, "DAYBREAK", "Daybreak", "admin")
    terms = GrantTerms(use=Use.DIGITAL_ALTERATION, signed_by="Eileen Collins", rate="250",
                       unit=RateUnit.PER_SECOND, production_code="DAYBREAK", valid_from=utcnow() - timedelta(days=1),
                       valid_until=utcnow() + timedelta(days=30),
                       description="De-age Eileen Collins by twenty years in the launch-day flashback, for streaming")
    grant_consent(service.studio, service.cast.lead, terms, "business affairs")
    params = {"talent_id": service.cast.lead.id, "years": 20, "reshape": True}
    job = submit(service.studio, "deage", params, [take], "DAYBREAK", "Bo Lind (artist)", 3)
    job = LocalExecutor(service.studio).run(job.id)
    assert job.state is JobState.IN_REVIEW, job.history[-1].note

    page = sign_in(context, service, "reviewer")
    page.goto(f"{service.url}/ui/jobs/{job.id}")
    page.wait_for_load_state("networkidle")
    frame = page.locator("figure.wipe img.over").first.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert frame == [640, 360]  # the representative frame, whole
    page.wait_for_function("() => [...document.querySelectorAll('.sync video')].every(v => v.readyState >= 2)",
                           timeout=15000)
    page.click("[data-play]")
    page.wait_for_function("() => document.querySelectorAll('.sync video')[1].currentTime > 0.6", timeout=15000)
    page.click("[data-play]")
    before, after = page.locator(".sync video").evaluate_all("vs => vs.map(v => v.currentTime)")
    assert after > 0.6 and abs(before - after) < 0.2  # both clips played, in step
    page.locator("[data-seek]").fill("500")
    page.wait_for_function("() => [...document.querySelectorAll('.sync video')].every(v => !v.seeking)")
    before, after, length = page.locator(".sync video").evaluate_all(
        "vs => [vs[0].currentTime, vs[1].currentTime, vs[1].duration]")
    assert abs(before - after) < 0.05 and after == pytest.approx(length / 2, abs=0.05)  # both scrubbed half way
    shoot(page, "job_video")
