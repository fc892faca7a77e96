"""Assets: previews of the drafts a caller can see, downloads of approved outputs only.

A download is an export: consent is checked once more first (a grant revoked since approval blocks the job
and quarantines its outputs), and the ledger records who took which file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from fastapi import APIRouter
from fastapi.responses import FileResponse, StreamingResponse

from greenlight.api.auth import Home, Who
from greenlight.domain import Asset, Job
from greenlight.domain.access import Caller
from greenlight.errors import Forbidden, NotFound
from greenlight.runtime.visibility import SEE_ALL, can_see, check_download
from greenlight.store.registry import Registry

router = APIRouter(tags=["assets"])


def _find(registry: Registry, who: Caller, asset_id: str) -> Asset:
    """The asset. To a caller who does not see every job, an unknown asset looks like one they may not see:
    an asset is found by content hash too, and a 404 would tell them whether the studio holds a given file."""
    try:
        return registry.asset(asset_id)
    except NotFound:
        if who.role in SEE_ALL:
            raise
        raise _unseen(who, asset_id) from None


def _unseen(who: Caller, asset_id: str) -> Forbidden:
    return Forbidden(f"asset {asset_id} is not of a job a {who.role.value} token can see",
                     "ask the production for access")


def _asset_and_job(registry: Registry, who: Caller, asset_id: str) -> tuple[Asset, Job]:
    """The asset and a job the caller can see that made it or used it. Raises NotFound, Forbidden."""
    asset = _find(registry, who, asset_id)
    if asset.job_id is not None:
        job = registry.get(Job, asset.job_id)
        if not can_see(registry, who, job):
            raise _unseen(who, asset_id)
        return asset, job
    users = [j for j in registry.jobs() if any(i.sha256 == asset.sha256 for i in j.inputs)]
    seen = next((j for j in users if can_see(registry, who, j)), None)
    if seen is None:
        if not users and who.role in SEE_ALL:
            raise NotFound(f"asset {asset_id} belongs to no job", "previews are of jobs' inputs and outputs")
        raise _unseen(who, asset_id)
    return asset, seen


@router.get("/assets/{asset_id}/preview", name="assets.preview",
            responses={200: {"content": {"image/*": {}, "video/*": {}}, "description": "the file, inline"}})
def preview(asset_id: str, who: Who, studio: Home) -> FileResponse:
    """A job's input or draft, to look at (never to deliver: only approved outputs are downloaded)."""
    with studio.transaction() as tx:
        asset, _ = _asset_and_job(tx.registry, who, asset_id)
    return FileResponse(studio.home / asset.path, media_type=asset.media_type, content_disposition_type="inline",
                        headers={"Cache-Control": "no-store"})


@router.get("/assets/{asset_id}/download", name="assets.download",
            responses={200: {"content": {"application/octet-stream": {}}, "description": "the signed output"}})
def download(asset_id: str, who: Who, studio: Home) -> StreamingResponse:
    """An approved job's signed output, after its consent is checked again; the ledger records the download."""
    from greenlight.runtime.delivery import cleared_outputs, record_export

    with studio.transaction() as tx:
        asset, job = _asset_and_job(tx.registry, who, asset_id)
        if asset.job_id is None:
            raise Forbidden(f"asset {asset_id} is not a job's output", "only approved outputs are downloaded")
        check_download(tx.registry, who, job)
    job, outputs = cleared_outputs(studio, asset.job_id, who.actor, gate="download")
    if asset.id not in {a.id for a in outputs}:
        raise Forbidden(f"asset {asset_id} is not one of job {job.id}'s signed outputs",
                        "only approved outputs are downloaded")
    n = [a.id for a in outputs].index(asset.id) + 1
    asset = outputs[n - 1]  # as the ledger recorded it, its file checked: not the row found by id or hash
    name = f"{job.id}-{n}{Path(asset.path).suffix}"
    copy = _recorded_copy(studio, asset)  # before the record: only the bytes the ledger recorded are sent
    try:
        record_export(studio, job, who.actor, [name], via="service")
    except BaseException:
        copy.close()
        raise
    size = copy.seek(0, os.SEEK_END)
    copy.seek(0)
    return StreamingResponse(_chunks(copy), media_type=asset.media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Content-Length": str(size)})


def _recorded_copy(studio, asset: Asset) -> BinaryIO:
    """A private copy of the output's stored file, made once and checked against the recorded sha256 as it
    was made: a file swapped in the store after the gate's check is not what is sent. The copy has no name,
    so nothing of it outlives the response, or a crash."""
    from greenlight.runtime.delivery import copy_recorded

    (studio.home / "work").mkdir(exist_ok=True)
    copy = tempfile.TemporaryFile(dir=studio.home / "work")  # noqa: SIM115 (closed by _chunks, or below)
    try:
        copy_recorded(studio, asset, copy)
    except BaseException:
        copy.close()
        raise
    return copy


def _chunks(copy: BinaryIO) -> Iterator[bytes]:
    with copy:
        while chunk := copy.read(1 << 20):
            yield chunk
