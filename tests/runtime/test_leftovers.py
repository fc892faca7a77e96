"""A process killed mid-job leaves nothing partial behind: the next start of Greenlight sweeps it away."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from greenlight.domain import JobState, RateUnit, Use
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.jobs import submit
from greenlight.runtime.studio import Studio
from tests.runtime.conftest import PRODUCTION

# Runs the job in another process and kills it (SIGKILL: no finally, no atexit) right after the
# watermarked, signed file is written and before it reaches the asset store.
KILLED_WHILE_SIGNING = """
import os, signal, sys
from pathlib import Path
import greenlight.provenance as provenance
from greenlight.runtime.executor import LocalExecutor
from greenlight.runtime.studio import Studio

original = provenance.mark_and_sign
def sign_then_die(*args, **kwargs):
    original(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
provenance.mark_and_sign = sign_then_die
LocalExecutor(Studio.open(Path(sys.argv[1])), lease_seconds=600).run_queued()
"""


def leftovers(studio: Studio) -> list[str]:
    work = studio.home / "work"
    found = [p for p in work.rglob("*") if p.is_file()] if work.is_dir() else []
    found += [p for p in (studio.home / "assets").rglob(".*") if p.is_file()]
    return sorted(str(p.relative_to(studio.home)) for p in found)


def test_a_job_killed_while_signing_leaves_nothing_after_the_next_start(cast):
    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    photo = cast.lead_photo
    job = submit(cast.studio, "ingest", {"tool": "HostedModel 3"}, [photo], PRODUCTION, "artist")
    worker = subprocess.run([sys.executable, "-c", KILLED_WHILE_SIGNING, str(cast.studio.home)], env={**os.environ})
    assert worker.returncode == -9
    assert leftovers(cast.studio), "the kill should have left a signed file in the scratch folder"
    # Its lease has ten minutes to run, but its process is gone: the next command sweeps at once,
    # and the next queue run picks the job up again.
    reopened = Studio.open(cast.studio.home)
    assert leftovers(reopened) == []
    [again] = LocalExecutor(reopened).run_queued()
    assert again.id == job.id and again.state is JobState.IN_REVIEW, again.history[-1].note
    assert any("process gone" in t.note for t in again.history)


def test_the_scratch_folder_of_a_running_job_is_kept(cast):
    from greenlight.store import leases

    cast.grant(cast.lead, Use.INDEPENDENT_REPLICA, RateUnit.PER_IMAGE)
    photo = cast.lead_photo
    job = submit(cast.studio, "ingest", {"tool": "HostedModel 3"}, [photo], PRODUCTION, "artist")
    with cast.studio.transaction() as tx:
        assert leases.claim(tx.registry.session, job.id, "someone-else", time.time(), 600)
    scratch = cast.studio.home / "work" / job.id / "frame.png"
    scratch.parent.mkdir(parents=True)
    scratch.write_bytes(b"in progress")
    Studio.open(cast.studio.home)
    assert scratch.read_bytes() == b"in progress"


def test_an_old_temporary_file_in_the_asset_store_is_removed(cast):
    stray = cast.studio.home / "assets" / ".incoming" / ".abcd.png.x1y2.part"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"half a file")
    fresh = stray.with_name(".abcd.png.z3.part")
    fresh.write_bytes(b"being written now")
    old = time.time() - 3600
    os.utime(stray, (old, old))
    Studio.open(cast.studio.home)
    assert not stray.exists() and fresh.exists()


def test_a_refused_input_names_the_users_file_not_the_studios(cast, tmp_path):
    from PIL import Image

    from greenlight.errors import MediaError

    tiny = tmp_path / "tiny_plate.png"
    Image.new("RGB", (16, 16), "grey").save(tiny)  # too small to carry a watermark: refused before any job
    with pytest.raises(MediaError) as refused:
        submit(cast.studio, "ingest", {"tool": "HostedModel 3"}, [tiny], PRODUCTION, "artist")
    said = str(refused.value)
    assert "tiny_plate.png" in said and "64x64" in said
    assert str(cast.studio.home) not in said and "work/" not in said and "assets/" not in said
    with cast.studio.transaction() as tx:
        assert tx.registry.jobs() == []


def test_an_animation_is_refused_before_any_job_naming_the_file(cast, tmp_path):
    from PIL import Image

    from greenlight.errors import MediaError

    frames = [Image.new("RGB", (64, 64), colour) for colour in ("white", "grey")]
    gif = tmp_path / "flipbook.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=200, loop=0)
    with pytest.raises(MediaError, match=r"flipbook\.gif: holds 2 frames"):
        submit(cast.studio, "ingest", {"tool": "HostedModel 3"}, [gif], PRODUCTION, "artist")
    with cast.studio.transaction() as tx:
        assert tx.registry.jobs() == []
