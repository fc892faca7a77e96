"""Attacks on the studio service (REST API, tokens, the review UI), each a case that holds only while the guard does.

A small studio built through the runtime, with no sample faces: two talents, a job in review showing only Lee Park
(so Dana Reyes's representative must see nothing of it), a job showing both, and a token for every role. Each case
tries one way around a guard and checks the answer and that the refused request changed nothing.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from greenlight.api.app import API_PREFIX, create_app  # noqa: E402
from greenlight.api.auth import SESSION_COOKIE  # noqa: E402
from greenlight.domain import Decision, Job, JobInput, JobState, Reason, Verdict, canonical_json  # noqa: E402
from greenlight.domain.access import AccessToken, Role  # noqa: E402
from greenlight.errors import NotFound, Unauthorized  # noqa: E402
from greenlight.runtime.access import authenticate, issue  # noqa: E402
from greenlight.runtime.registry import add_production, add_talent  # noqa: E402
from greenlight.runtime.studio import Studio  # noqa: E402

CYRILLIC_DANA = "D\u0430na Reyes"  # the first a is Cyrillic: looks like Dana Reyes, is not
API = API_PREFIX


def _in_review(job: Job) -> Job:
    for state in (JobState.PREFLIGHT, JobState.RUNNING, JobState.POSTFLIGHT, JobState.IN_REVIEW):
        job = job.to(state, by="executor")
    return job


def _job(studio: Studio, production_id: str, shown: dict[str, str], by: str = "Ana Artist (artist)",
         state: str = "in_review") -> str:
    job = Job(engine="ingest", params={}, production_id=production_id, requested_by=by,
              inputs=(JobInput(sha256="c" * 64, name="plate.jpg", media="image"),))
    job = _in_review(job) if state == "in_review" else job
    reasons = tuple(Reason(Verdict.ALLOW, "consent.covered", f"{name} is covered", tid) for name, tid in shown.items())
    with studio.transaction() as tx:
        tx.registry.add(job)
        tx.record(f"job.{job.state.value}", job, "executor")  # as the executor leaves it: the gates check the row
        if reasons:
            tx.registry.add_decision(Decision.from_reasons(reasons, production_id=production_id, use="ingest",
                                                           subject=job.id, stage="postflight"))
    return job.id


class Set:
    """The studio, its tokens and jobs, and a client."""

    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        production = add_production(studio, "NS", "Night Shift", "admin")
        self.production = production
        self.dana, self.lee = add_talent(studio, "Dana Reyes", "casting"), add_talent(studio, "Lee Park", "casting")
        self.secrets: dict[str, str] = {}
        self.tokens: dict[str, AccessToken] = {}
        for who, role, talent in (("admin", Role.ADMIN, None), ("artist", Role.ARTIST, None),
                                  ("artist2", Role.ARTIST, None), ("reviewer", Role.REVIEWER, None),
                                  ("legal", Role.LEGAL, None), ("dana_rep", Role.TALENT_REP, "Dana Reyes"),
                                  ("lee_rep", Role.TALENT_REP, "Lee Park")):
            holder = {"artist": "Ana Artist", "artist2": "Bo Artist"}.get(who, f"A {who}")
            self.tokens[who], self.secrets[who] = issue(studio, holder, role, "admin", talent)
        self.lee_job = _job(studio, production.id, {"Lee Park": self.lee.id})
        self.two_shot = _job(studio, production.id, {"Dana Reyes": self.dana.id, "Lee Park": self.lee.id})
        self.client = TestClient(create_app(studio.home), follow_redirects=False)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[who]}"}

    def ledger(self) -> int:
        with self.studio.transaction() as tx:
            return sum(1 for _ in tx.ledger.entries())

    def job(self, job_id: str) -> Job:
        with self.studio.transaction() as tx:
            return tx.registry.get(Job, job_id)


@pytest.fixture
def s(tmp_path, monkeypatch) -> Set:
    monkeypatch.delenv("GREENLIGHT_DATABASE_URL", raising=False)
    return Set(Studio.create(tmp_path / "studio"))


# --- a talent representative reaching for another talent -------------------------------------------------------

def test_a_rep_guessing_another_talents_job_id_gets_403_on_every_route(s):
    before = s.ledger()
    for method, path in (("get", f"/jobs/{s.lee_job}"), ("get", f"/jobs/{s.lee_job}/events"),
                         ("post", f"/jobs/{s.lee_job}/veto")):
        response = s.client.request(method.upper(), API + path, headers=s.auth("dana_rep"), json={"note": "not ours"})
        assert response.status_code == 403, (path, response.text)
        assert "Lee Park" not in response.text
    assert s.client.get(f"/ui/jobs/{s.lee_job}", cookies={SESSION_COOKIE: s.secrets["dana_rep"]}).status_code == 403
    assert s.ledger() == before


@pytest.mark.parametrize("path", ["/consent?talent=Lee%20Park", "/reports/usage?talent=Lee%20Park",
                                  f"/consent?talent={CYRILLIC_DANA}", "/reports/usage?talent=lee%20park"])
def test_a_rep_naming_another_talent_in_the_query_is_refused(s, path):
    response = s.client.get(API + path, headers=s.auth("dana_rep"))
    assert response.status_code == 403, response.text


def test_the_job_list_and_its_filters_show_a_rep_only_their_talents_jobs(s):
    for query in ("", "?state=in_review", "?talent=Lee%20Park", "?talent_id=" + s.lee.id, "?all=1"):
        response = s.client.get(f"{API}/jobs{query}", headers=s.auth("dana_rep"))
        ids = {j["id"] for j in response.json()} if response.status_code == 200 else set()
        assert s.lee_job not in ids, query
    shown = s.client.get(f"{API}/review", headers=s.auth("dana_rep")).json()
    assert [j["id"] for j in shown] == [s.two_shot]
    talent = s.client.get(f"{API}/talent", headers=s.auth("dana_rep")).json()
    assert [t["name"] for t in talent] == ["Dana Reyes"]


def test_a_rep_sees_nothing_of_the_other_talent_in_a_two_shot(s):
    shown = s.client.get(f"{API}/jobs/{s.two_shot}", headers=s.auth("dana_rep"))
    assert shown.status_code == 200
    assert "Lee Park" not in shown.text and s.lee.id not in shown.text


def test_a_two_shots_history_notes_tell_a_rep_nothing_of_the_other_talent(s):
    """The executor writes the guards' summary into the job's history ("Lee Park is covered by …"): the API and the
    event stream must withhold it from Dana Reyes's representative as the job page does."""
    job = Job(engine="ingest", params={}, production_id=s.production.id, requested_by="Ana Artist (artist)",
              inputs=(JobInput(sha256="d" * 64, name="two_shot.jpg", media="image"),))
    for state in (JobState.PREFLIGHT, JobState.RUNNING, JobState.POSTFLIGHT, JobState.IN_REVIEW):
        job = job.to(state, by="executor", note="allow: Dana Reyes is covered; Lee Park is covered by grant g_1")
    reasons = (Reason(Verdict.ALLOW, "consent.covered", "Dana Reyes is covered", s.dana.id),
               Reason(Verdict.ALLOW, "consent.covered", "Lee Park is covered", s.lee.id))
    with s.studio.transaction() as tx:
        tx.registry.add(job)
        tx.record(f"job.{job.state.value}", job, "executor")
        tx.registry.add_decision(Decision.from_reasons(reasons, production_id=s.production.id, use="ingest",
                                                       subject=job.id, stage="postflight"))
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/events", "/jobs", "/review"):
        response = s.client.get(API + path, headers=s.auth("dana_rep"))
        assert response.status_code == 200 and "Lee Park" not in response.text, (path, response.text)
    assert "Lee Park" in s.client.get(f"{API}/jobs/{job.id}", headers=s.auth("reviewer")).text


def _marked_picture(path, payload: int, seed: int) -> None:
    import numpy as np

    from greenlight.media import save_image
    from greenlight.provenance import embed_watermark

    rng = np.random.default_rng(seed)
    small = rng.integers(40, 215, (32, 32, 3)).astype(np.uint8)
    rgb = np.kron(small, np.ones((16, 16, 1), dtype=np.uint8))
    save_image(path, embed_watermark(rgb, payload) if payload else rgb)


def test_verify_of_a_lifted_mark_does_not_name_another_talents_asset(s, tmp_path):
    """A file whose watermark was lifted from Lee Park's draft: /verify says it is copied, but to Dana Reyes's
    representative it must not name the asset it was lifted from."""
    from greenlight.domain import Asset

    payload = 0x5A5A12345678
    stored = s.studio.home / "assets" / "lee_draft.png"
    stored.parent.mkdir(exist_ok=True)
    _marked_picture(stored, 0, seed=1)  # another picture: the mark does not belong on the upload
    asset = Asset(sha256="e" * 64, path="assets/lee_draft.png", size=stored.stat().st_size,
                  media_type="image/png", role="output", job_id=s.lee_job, mark=f"{payload:012x}")
    with s.studio.transaction() as tx:
        tx.registry.add(asset)
    upload = tmp_path / "found_online.png"
    _marked_picture(upload, payload, seed=2)
    answers = {who: s.client.post(f"{API}/verify", headers=s.auth(who),
                                  files={"file": ("found_online.png", upload.read_bytes())}) for who in
               ("reviewer", "dana_rep")}
    assert answers["reviewer"].json()["watermark"]["state"] == "copied", answers["reviewer"].text
    assert asset.id in answers["reviewer"].text
    assert answers["dana_rep"].status_code == 200 and asset.id not in answers["dana_rep"].text, answers["dana_rep"].text


def test_an_asset_a_caller_may_not_use_looks_like_one_the_studio_does_not_hold(s):
    """Submitting a job with a studio asset by hash must not tell an artist whether the studio holds that file."""
    from greenlight.domain import Asset

    held = Asset(sha256="f" * 64, path="assets/held.png", size=1, media_type="image/png", role="output",
                 job_id=s.lee_job)
    with s.studio.transaction() as tx:
        tx.registry.add(held)
    answers = [s.client.post(f"{API}/jobs", headers=s.auth("artist2"),
                             data={"engine": "ingest", "production": "NS", "params": "{}", "assets": [ref]})
               for ref in ("f" * 64, "9" * 64)]
    assert [a.status_code for a in answers] == [403, 403], [a.text for a in answers]
    assert answers[0].json()["problem"].replace("f" * 64, "9" * 64) == answers[1].json()["problem"]
    assert s.lee_job not in answers[0].text


def test_the_ledger_export_and_verify_are_not_for_reps_or_artists(s):
    for who in ("dana_rep", "artist"):
        for path in ("/ledger/export", "/ledger/verify"):
            response = s.client.get(API + path, headers=s.auth(who))
            assert response.status_code == 403 and "Lee Park" not in response.text, (who, path)
        assert s.client.get("/ui/ledger", cookies={SESSION_COOKIE: s.secrets[who]}).status_code == 403


def test_the_openapi_document_names_no_record_of_the_studio(s):
    document = s.client.get(f"{API}/openapi.json").text
    assert "Lee Park" not in document and s.lee_job not in document and s.lee.id not in document


def test_a_lookalike_talent_name_issues_no_token(s):
    before = s.ledger()
    with pytest.raises(NotFound):
        issue(s.studio, "Mal Rep", Role.TALENT_REP, "admin", CYRILLIC_DANA)
    response = s.client.post(f"{API}/tokens", headers=s.auth("admin"),
                             json={"holder": "Mal Rep", "role": "talent-rep", "talent": CYRILLIC_DANA})
    assert response.status_code == 404, response.text
    assert s.ledger() == before


def test_an_artist_sees_only_their_own_jobs(s):
    assert s.client.get(f"{API}/jobs/{s.lee_job}", headers=s.auth("artist2")).status_code == 403
    assert s.client.get(f"{API}/jobs", headers=s.auth("artist2")).json() == []
    before = s.ledger()
    response = s.client.post(f"{API}/jobs/{s.lee_job}/cancel", headers=s.auth("artist2"), json={"note": "mine now"})
    assert response.status_code == 403 and s.ledger() == before


# --- vetoes ------------------------------------------------------------------------------------------------------

def test_a_rep_of_a_talent_not_in_the_job_cannot_veto_it(s):
    before = s.ledger()
    response = s.client.post(f"{API}/jobs/{s.lee_job}/veto", headers=s.auth("dana_rep"), json={"note": "no"})
    assert response.status_code == 403
    form = s.client.post(f"/ui/jobs/{s.lee_job}/veto", data={"note": "no"},
                         cookies={SESSION_COOKIE: s.secrets["dana_rep"]})
    assert form.status_code == 403
    assert s.ledger() == before and s.job(s.lee_job).vetoes == ()


def test_a_vetoed_draft_is_approved_neither_through_the_ui_form_nor_the_api(s):
    assert s.client.post(f"{API}/jobs/{s.two_shot}/veto", headers=s.auth("dana_rep"),
                         json={"note": "not the performance agreed"}).status_code == 200
    before = s.ledger()
    form = s.client.post(f"/ui/jobs/{s.two_shot}/review", data={"decision": "approve", "note": "fine by me"},
                         cookies={SESSION_COOKIE: s.secrets["reviewer"]})
    assert form.status_code == 409, form.text
    api = s.client.post(f"{API}/jobs/{s.two_shot}/approve", headers=s.auth("reviewer"), json={"note": "fine by me"})
    assert api.status_code == 409 and api.json()["error"] == "Vetoed"
    assert s.ledger() == before and s.job(s.two_shot).state is JobState.IN_REVIEW


def test_a_veto_after_approval_is_refused_and_changes_nothing(s):
    approved = s.client.post(f"{API}/jobs/{s.two_shot}/approve", headers=s.auth("reviewer"),
                             json={"note": "matches the brief"})
    assert approved.status_code == 200, approved.text
    before = s.ledger()
    response = s.client.post(f"{API}/jobs/{s.two_shot}/veto", headers=s.auth("dana_rep"), json={"note": "too late?"})
    assert response.status_code == 409, response.text
    assert s.ledger() == before and s.job(s.two_shot).vetoes == ()


# --- tokens --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Bearer   {}  ", "bearer {}", "BEARER {}"])
def test_a_live_token_is_read_however_the_bearer_scheme_is_written(s, header):
    response = s.client.get(f"{API}/whoami", headers={"Authorization": header.format(s.secrets["reviewer"])})
    assert response.status_code == 200 and response.json()["role"] == "reviewer"


@pytest.mark.parametrize("header", ["Basic {}", "Bearer", "Bearer {}x", "{}", "Token {}"])
def test_a_malformed_authorization_header_is_refused(s, header):
    response = s.client.get(f"{API}/whoami", headers={"Authorization": header.format(s.secrets["reviewer"])})
    assert response.status_code == 401


def test_a_bearer_header_outranks_a_cookie_of_another_role(s):
    response = s.client.get(f"{API}/whoami", headers=s.auth("reviewer"), cookies={SESSION_COOKIE: s.secrets["admin"]})
    assert response.json()["role"] == "reviewer"
    before = s.ledger()
    refused = s.client.post(f"{API}/tokens/{s.tokens['legal'].id}/revoke", headers=s.auth("reviewer"),
                            cookies={SESSION_COOKIE: s.secrets["admin"]})
    assert refused.status_code == 403 and s.ledger() == before


def test_a_note_is_shown_as_text_never_run_as_script(s):
    from greenlight.runtime.jobs import review

    review(s.studio, s.lee_job, False, "A reviewer (reviewer)", '<script>alert("x")</script><img src=x onerror=1>')
    page = s.client.get(f"/ui/jobs/{s.lee_job}", cookies={SESSION_COOKIE: s.secrets["reviewer"]})
    assert page.status_code == 200 and "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;" in page.text


def test_a_token_in_the_query_string_is_not_accepted(s):
    for name in ("token", "access_token", "api_key"):
        assert s.client.get(f"{API}/whoami?{name}={s.secrets['admin']}").status_code == 401


def test_a_revoked_header_is_refused_even_beside_a_live_cookie(s):
    from greenlight.runtime.access import revoke

    revoke(s.studio, s.tokens["artist"].id, "admin")
    response = s.client.get(f"{API}/whoami", headers=s.auth("artist"),
                            cookies={SESSION_COOKIE: s.secrets["admin"]})
    assert response.status_code == 401


def test_a_token_is_dead_at_the_instant_it_expires(s):
    token = s.tokens["legal"]
    assert authenticate(s.studio, s.secrets["legal"], token.expires_at - timedelta(microseconds=1)).role is Role.LEGAL
    with pytest.raises(Unauthorized):
        authenticate(s.studio, s.secrets["legal"], token.expires_at)


def test_a_token_revoked_mid_stream_ends_the_stream(s, monkeypatch):
    """A follower whose token is revoked while they watch gets nothing the job does after it."""
    from greenlight.api.routes import jobs as job_routes
    from greenlight.runtime.access import revoke
    from greenlight.runtime.jobs import cancel

    queued = _job(s.studio, s.production.id, {"Dana Reyes": s.dana.id}, state="queued")
    watching, refused, live = threading.Event(), threading.Event(), job_routes._live

    def seen_live(studio, secret):  # the real check; tells the test what the stream has asked and heard
        watching.set()
        answer = live(studio, secret)
        if not answer:
            refused.set()
        return answer

    monkeypatch.setattr(job_routes, "_live", seen_live)

    def meanwhile() -> None:
        watching.wait(60)  # (if it never asks, the test goes on and fails on what the stream then shows)
        revoke(s.studio, s.tokens["dana_rep"].id, "admin")
        refused.wait(60)
        cancel(s.studio, queued, "admin", "the take was dropped")  # settles the job, so the stream ends anyway

    thread = threading.Thread(target=meanwhile)
    thread.start()
    body = s.client.get(f"{API}/jobs/{queued}/events", headers=s.auth("dana_rep")).text
    thread.join()
    assert "cancelled" not in body and "dropped" not in body, body
    assert body.rstrip().endswith('"problem": "the access token is no longer live"}'), body


# --- CSRF: a form posted from another site ---------------------------------------------------------------------

def test_a_cross_site_post_to_the_api_with_the_session_cookie_is_refused(s):
    """The session cookie is accepted by the REST API too; a form another page posts (a multipart job or a bodiless
    revoke) must not ride on it."""
    before = s.ledger()
    evil = {"Origin": "http://evil.example"}
    revoked = s.client.post(f"{API}/tokens/{s.tokens['reviewer'].id}/revoke", headers=evil,
                            cookies={SESSION_COOKIE: s.secrets["admin"]})
    assert revoked.status_code == 403, revoked.text
    submitted = s.client.post(f"{API}/jobs", headers=evil, cookies={SESSION_COOKIE: s.secrets["artist"]},
                              data={"engine": "ingest", "production": "NS", "params": "{}"})
    assert submitted.status_code == 403, submitted.text
    assert s.ledger() == before
    assert s.client.get(f"{API}/whoami", headers=s.auth("reviewer")).status_code == 200


def test_a_ui_form_posted_from_another_site_changes_nothing(s):
    before = s.ledger()
    response = s.client.post(f"/ui/jobs/{s.two_shot}/veto", data={"note": "forged"},
                             headers={"Origin": "http://evil.example"},
                             cookies={SESSION_COOKIE: s.secrets["dana_rep"]})
    assert response.status_code == 403 and s.ledger() == before


# --- paths, uploads, server files ------------------------------------------------------------------------------

@pytest.mark.parametrize("asset", ["..%2F..%2Fgreenlight.db", "%2Fetc%2Fpasswd", "x%00.png"])
def test_an_asset_id_is_never_a_path(s, asset):
    for who in ("admin", "dana_rep"):
        response = s.client.get(f"{API}/assets/{asset}/preview", headers=s.auth(who))
        assert response.status_code in (403, 404), response.text
    response = s.client.get(f"/ui/jobs/{s.two_shot}/media/{asset}", cookies={SESSION_COOKIE: s.secrets["admin"]})
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("name", ["../../../escaped.png", "/tmp/escaped.png", "esc\x00aped.png", "..\\..\\escaped.png"])
def test_an_upload_name_cannot_leave_the_upload_folder(s, name):
    from greenlight.api.uploads import plain_name

    assert "/" not in plain_name(name, 1) and "\\" not in plain_name(name, 1) and "\x00" not in plain_name(name, 1)
    before = s.ledger()
    response = s.client.post(f"{API}/verify", headers=s.auth("admin"), files={"file": (name, b"not media")})
    assert response.status_code == 422 and "\n" not in response.json()["problem"]
    assert not (s.studio.home.parent / "escaped.png").exists()
    assert list((s.studio.home / ".uploads").iterdir()) == [] and s.ledger() == before


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(s, monkeypatch):
    from greenlight.api import uploads

    monkeypatch.setattr(uploads, "LARGEST", 4096)
    before = s.ledger()
    response = s.client.post(f"{API}/jobs", headers=s.auth("artist"),
                             data={"engine": "ingest", "production": "NS", "params": "{}"},
                             files={"files": ("take.png", b"\x89PNG" + b"0" * 8192)})
    assert response.status_code == 422, response.text
    assert list((s.studio.home / ".uploads").iterdir()) == [] and s.ledger() == before


def test_a_file_that_is_not_media_stores_nothing(s):
    before = s.ledger()
    response = s.client.post(f"{API}/jobs", headers=s.auth("artist"),
                             data={"engine": "ingest", "production": "NS", "params": '{"tool": "Runway Gen-4"}'},
                             files={"files": ("take.png", b"this is not a picture")})
    assert response.status_code == 422 and "\n" not in response.json()["problem"]
    with s.studio.transaction() as tx:
        assert len(tx.registry.jobs()) == 2
    assert s.ledger() == before


@pytest.mark.parametrize("library", ["/etc", "../../", "~"])
def test_a_mood_board_cannot_read_a_library_outside_the_studio(s, library):
    response = s.client.post(f"{API}/jobs", headers=s.auth("artist"),
                             data={"engine": "moodboard", "production": "NS",
                                   "params": json.dumps({"brief": "a bunker at dawn", "library": library})})
    assert response.status_code == 422 and "outside the studio" in response.text, response.text


def test_a_mood_board_library_linked_out_of_the_studio_is_refused(s, tmp_path):
    (s.studio.home / "refs").symlink_to(tmp_path)
    response = s.client.post(f"{API}/jobs", headers=s.auth("artist"),
                             data={"engine": "moodboard", "production": "NS",
                                   "params": json.dumps({"brief": "a bunker at dawn", "library": "refs"})})
    assert response.status_code == 422 and "outside the studio" in response.text, response.text


@pytest.mark.parametrize("engine", ["previz", "deage"])
def test_a_job_cannot_name_a_model_folder_on_the_server(s, engine):
    """Through the service a model is the studio's registered one by name; the caller's folder, hash and fingerprint
    are not trusted (they would let an engine load, or say whether there is, anything the server can read)."""
    own = {"previz": {"brief": "a bunker at dawn"}, "deage": {"talent_id": s.dana.id, "years": 10}}[engine]
    params = {"model": "sd15", "model_dir": "/etc", "model_sha256": "0" * 64, "model_fingerprint": "x", **own}
    before = s.ledger()
    response = s.client.post(f"{API}/jobs", headers=s.auth("artist"),
                             data={"engine": engine, "production": "NS", "params": json.dumps(params)})
    assert response.status_code == 404 and "sd15" in response.text, response.text
    assert "/etc" not in response.text and s.ledger() == before


# --- the database edited behind the ledger's back --------------------------------------------------------------

def test_a_token_promoted_to_admin_in_the_database_is_caught(s):
    """An artist's token edited to admin in SQL: the ledger audit must say the row no longer matches its entry."""
    from sqlalchemy import text

    token = s.tokens["artist"]
    with s.studio.transaction() as tx:
        row = tx.ledger.session.execute(text("SELECT record FROM access_tokens WHERE id = :id"),
                                        {"id": token.id}).scalar_one()
        record = json.loads(row)
        record["role"] = "admin"
        tx.ledger.session.execute(text("UPDATE access_tokens SET record = :r WHERE id = :id"),
                                  {"r": json.dumps(record), "id": token.id})
    from greenlight.runtime.ledgerbook import verify_ledger

    report = verify_ledger(s.studio)
    assert not report.ok and any(token.id in p for p in report.problems), report.problems
    # and the service refuses the edited token at once, without waiting for someone to run the audit
    refused = s.client.get(API + "/whoami", headers=s.auth("artist"))
    assert refused.status_code == 401 and "ledger" in refused.json()["problem"]


def test_a_revocation_undone_in_the_database_is_refused(s):
    from sqlalchemy import text

    from greenlight.runtime.access import revoke

    token = revoke(s.studio, s.tokens["artist"].id, "admin")
    with s.studio.transaction() as tx:
        record = json.loads(canonical_json(token))
        record["revoked_at"] = record["revoked_by"] = None
        tx.ledger.session.execute(text("UPDATE access_tokens SET record = :r WHERE id = :id"),
                                  {"r": json.dumps(record), "id": token.id})
    refused = s.client.get(API + "/whoami", headers=s.auth("artist"))
    assert refused.status_code == 401


@pytest.mark.parametrize("name", [CYRILLIC_DANA, "Ｄａｎａ Ｒｅｙｅｓ", "Dana\u200b Reyes", "Dana Reye\u0455"],
                         ids=["cyrillic-a", "full-width", "zero-width-space", "cyrillic-dze"])
def test_a_talent_that_only_looks_like_one_already_there_is_refused(s, name):
    from greenlight.errors import AlreadyExists

    before = s.ledger()
    with pytest.raises(AlreadyExists, match="looks the same as 'Dana Reyes'"):
        add_talent(s.studio, name, "casting")
    assert s.ledger() == before
