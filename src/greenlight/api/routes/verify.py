"""``/verify``: upload any file, get the verify report `greenlight verify --json` prints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from greenlight.api.auth import Home, Who
from greenlight.domain import Job
from greenlight.runtime.visibility import can_see

router = APIRouter(tags=["verify"])


@router.post("/verify", name="verify")
def verify(file: Annotated[UploadFile, File(description="An image or video: a deliverable, a copy, a download.")],
           who: Who, studio: Home) -> dict[str, Any]:
    """Check the file's Content Credentials against the studio root and trace its watermark.

    The asset and job it traces to are named only to a caller who may see that job.
    """
    from greenlight.api.uploads import received
    from greenlight.runtime.verification import verification_plain, verify_file

    with received(studio, [file]) as (path,):
        report = verification_plain(verify_file(studio, path))
    report["file"] = path.name
    with studio.transaction() as tx:
        if report["job"] is not None and not can_see(tx.registry, who, tx.registry.get(Job, report["job"]["id"])):
            report["job"] = report["asset"] = None
        lifted = report["watermark"]["copied_from"]
        if lifted is not None and not _asset_seen(tx.registry, who, lifted):
            report["watermark"]["copied_from"] = None
            report["reason"] = report["reason"].replace(lifted, "(one of a job this token cannot see)")
    return report


def _asset_seen(registry, who, asset_id: str) -> bool:
    """Whether the caller may see a job that made or used the asset (a lifted mark names it)."""
    asset = registry.asset(asset_id)
    if asset.job_id is not None:
        return can_see(registry, who, registry.get(Job, asset.job_id))
    return any(can_see(registry, who, job) for job in registry.jobs()
               if any(i.sha256 == asset.sha256 for i in job.inputs))
