"""Assets: previews of the drafts a caller can see, downloads of approved outputs only.

A download is an export: consent is checked once more first (a grant revoked since approval blocks the job
and quarantines its outputs), and the ledger records who took which file.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from greenlight.api.auth import Home, Who
from greenlight.domain import Asset, Job
from greenlight.domain.access import Caller
from greenlight.errors import Forbidden, NotFound
from greenlight.runtime.visibility import can_see, check_download, job_for
from greenlight.store.registry import Registry

router = APIRouter(tags=["assets"])


def _asset_and_job(registry: Registry, who: Caller, asset_id: str) -> tuple[Asset, Job]:
    """The asset and a job the caller can see that made it or used it. Raises NotFound, Forbidden."""
    asset = registry.asset(asset_id)
    if asset.job_id is not None:
        return asset, job_for(registry, who, asset.job_id)
    users = [j for j in registry.jobs() if any(i.sha256 == asset.sha256 for i in j.inputs)]
    seen = next((j for j in users if can_see(registry, who, j)), None)
    if seen is None:
        if not users:
            raise NotFound(f"asset {asset_id} belongs to no job", "previews are of jobs' inputs and outputs")
        raise Forbidden(f"asset {asset_id} is not of a job a {who.role.value} token can see",
                        "ask the production for access")
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
def download(asset_id: str, who: Who, studio: Home) -> FileResponse:
    """An approved job's signed output, after its consent is checked again; the ledger records the download."""
    from greenlight.runtime.delivery import cleared_outputs, record_export

    with studio.transaction() as tx:
        asset = tx.registry.asset(asset_id)
        if asset.job_id is None:
            raise Forbidden(f"asset {asset_id} is not a job's output", "only approved outputs are downloaded")
        check_download(tx.registry, who, job_for(tx.registry, who, asset.job_id))
    job, outputs = cleared_outputs(studio, asset.job_id, who.actor, gate="download")
    if asset.id not in {a.id for a in outputs}:
        raise Forbidden(f"asset {asset_id} is not one of job {job.id}'s signed outputs",
                        "only approved outputs are downloaded")
    n = [a.id for a in outputs].index(asset.id) + 1
    name = f"{job.id}-{n}{Path(asset.path).suffix}"
    record_export(studio, job, who.actor, [name], via="service")
    return FileResponse(studio.home / asset.path, media_type=asset.media_type, filename=name)
