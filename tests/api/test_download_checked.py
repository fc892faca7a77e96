"""A download sends only the bytes the ledger recorded: the stored output is copied once, hashed as it is
copied, and sent from that copy. A file swapped in the store after the download's gate checked it is refused,
and no download is recorded."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from greenlight.api.app import API_PREFIX
from greenlight.domain import Asset
from tests.cli.test_cli_crash_leftovers import SWAPPING_AFTER_THE_GATE

from .conftest import LEAD_PHOTO, STRANGER


def downloads(world, job_id: str) -> int:
    with world.studio.transaction() as tx:
        return sum(1 for e in tx.ledger.entries() if e.event.kind == "job.exported" and e.event.subject == job_id)


def test_an_output_swapped_after_the_download_gate_is_not_sent(world, client):
    job = world.ingest(LEAD_PHOTO, "artist", approve=True)
    with world.studio.transaction() as tx:
        asset = tx.registry.get(Asset, job.outputs[0])
    stored = world.studio.home / asset.path
    original = stored.read_bytes()
    swapper = subprocess.Popen([sys.executable, "-c", SWAPPING_AFTER_THE_GATE, world.studio.home, stored,
                                world.faces / STRANGER], env={**os.environ}, stdout=subprocess.PIPE, text=True)
    try:
        assert swapper.stdout.readline().strip() == "holding"
        refused = client.get(f"{API_PREFIX}/assets/{asset.id}/download", headers=world.auth("artist"))
        assert swapper.wait(timeout=60) == 0
        assert stored.read_bytes() != original, "the swap should have happened during the download"
    finally:
        swapper.kill()
        stored.chmod(0o644)
        stored.write_bytes(original)
    assert refused.status_code == 500, (refused.status_code, hashlib.sha256(refused.content).hexdigest())
    assert asset.path in refused.json()["problem"] and "sha256" in refused.json()["problem"]
    assert downloads(world, job.id) == 0
    taken = client.get(f"{API_PREFIX}/assets/{asset.id}/download", headers=world.auth("artist"))
    assert taken.status_code == 200 and hashlib.sha256(taken.content).hexdigest() == asset.sha256
    assert taken.headers["content-disposition"] == f'attachment; filename="{job.id}-1.png"'
    assert downloads(world, job.id) == 1
