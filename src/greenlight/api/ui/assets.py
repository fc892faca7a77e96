"""The UI's one stylesheet and one small script, served from the package (no build step, nothing fetched)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from greenlight.api.ui.base import HERE, UIRoute
from greenlight.errors import NotFound

router = APIRouter(route_class=UIRoute)
FILES = {"greenlight.css": "text/css", "viewer.js": "text/javascript"}


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """``greenlight.css`` or ``viewer.js``."""
    if name not in FILES:
        raise NotFound(f"no UI file {name!r}")
    return FileResponse(HERE / "static" / name, media_type=FILES[name], headers={"Cache-Control": "max-age=300"})
