"""The review web UI, served by the studio service under /ui: server-rendered pages over the runtime layer.

Pages call the runtime directly (never the REST API over HTTP) and show each caller only what
``greenlight.runtime.visibility`` lets them see. Templates are Jinja2, the style one CSS file, and the only
script a few lines for the wipe slider and synchronised playback: no front-end build step.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from greenlight.api.ui import assets, jobs, records, session

router = APIRouter(prefix="/ui")
for part in (session, jobs, records, assets):
    router.include_router(part.router)


def to_ui() -> RedirectResponse:
    """The service's front page is the UI."""
    return RedirectResponse("/ui/", status_code=303)
