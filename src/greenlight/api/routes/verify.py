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
    if report["job"] is not None:
        with studio.transaction() as tx:
            if not can_see(tx.registry, who, tx.registry.get(Job, report["job"]["id"])):
                report["job"] = report["asset"] = None
    return report
