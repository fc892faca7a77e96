"""`greenlight run …` and `greenlight ingest` on a studio that a `greenlight serve` also serves: the service's
executor polls the queue, so it may take a job the command just submitted before the command runs it."""

from __future__ import annotations

import threading
import time

import numpy as np

from greenlight.cli.jobs import run_job
from greenlight.domain import Job, JobState
from greenlight.media import save_image
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from greenlight.runtime.studio import Studio


def painting(folder, name: str, shade: int):
    """A faceless still (a matte painting) that ingest signs and puts in review in a second."""
    ramp = np.linspace(0, 255, 320, dtype=np.uint8)
    path = folder / name
    save_image(path, np.stack([np.tile(ramp, (200, 1)), np.full((200, 320), shade, np.uint8),
                               np.tile(ramp[::-1], (200, 1))], axis=-1))
    return path


def state_of(studio: Studio, job_id: str) -> JobState:
    with studio.transaction() as tx:
        return tx.registry.get(Job, job_id).state


def test_a_job_another_executor_took_first_is_followed_to_its_outcome(cli, tmp_path, capsys):
    assert cli("keys", "init", "--organisation", "Test Studio").code == 0
    assert cli("production", "add", "NIGHTFALL", "Nightfall").code == 0
    studio = Studio.open(cli.home)
    job = submit(studio, "ingest", {"tool": "Matte Painter 4", "use": "independent-replica"},
                 [painting(tmp_path, "matte_painting.png", 40)], "NIGHTFALL", "artist")
    service = threading.Thread(target=LocalExecutor(Studio.open(cli.home)).run, args=(job.id,))
    service.start()  # the service's executor, as `greenlight serve` runs it beside the command
    while state_of(studio, job.id) is JobState.QUEUED:
        time.sleep(0.01)
    followed = run_job(studio, job.id)  # what `run …`/`ingest` call once they have submitted
    service.join()
    assert followed.state is JobState.IN_REVIEW and state_of(studio, job.id) is JobState.IN_REVIEW
    assert "being run by another executor on this studio" in capsys.readouterr().err


def test_jobs_run_leaves_a_job_another_executor_holds_to_it_and_runs_the_rest(cli, tmp_path):
    from greenlight.store import leases

    assert cli("keys", "init", "--organisation", "Test Studio").code == 0
    assert cli("production", "add", "NIGHTFALL", "Nightfall").code == 0
    studio = Studio.open(cli.home)
    taken, ours = (submit(studio, "ingest", {"tool": "Matte Painter 4", "use": "independent-replica"},
                          [painting(tmp_path, f"matte_{n}.png", 40 + 80 * n)], "NIGHTFALL", "artist") for n in (1, 2))
    with studio.transaction() as tx:  # the service's executor has just claimed it (it is still queued)
        assert leases.claim(tx.registry.session, taken.id, leases.owner(), time.time(), 600)
    run = cli("jobs", "run")
    assert run.code == 0, (run.out, run.err)
    assert state_of(studio, taken.id) is JobState.QUEUED and state_of(studio, ours.id) is JobState.IN_REVIEW
