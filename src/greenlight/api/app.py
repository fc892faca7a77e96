"""The app factory: ``create_app(home)`` serves one studio; ``greenlight serve`` runs it with uvicorn."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from greenlight.errors import (
    AlreadyExists,
    Blocked,
    Forbidden,
    GreenlightError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    Unauthorized,
)
from greenlight.runtime.studio import Studio

API_PREFIX = "/api/v1"
# Most specific first: MediaError is an InvalidInput, OutsideStudio a StudioError.
_STATUS = ((Unauthorized, 401), (Forbidden, 403), (NotFound, 404), (AlreadyExists, 409), (InvalidTransition, 409),
           (Blocked, 409), (InvalidInput, 422))


def status_for(error: GreenlightError) -> int:
    """The HTTP status of a typed error (500 for a studio that cannot be read)."""
    return next((code for cls, code in _STATUS if isinstance(error, cls)), 500)


async def _greenlight_error(request: Request, error: GreenlightError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthorized) else None
    body = {"error": type(error).__name__, "problem": error.problem, "hint": error.hint}
    return JSONResponse(body, status_code=status_for(error), headers=headers)


async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """A body or query FastAPI could not read, in the same shape as every other refusal."""
    said = "; ".join(f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in error.errors())
    body = {"error": "InvalidInput", "problem": said or "the request could not be read",
            "hint": f"see {API_PREFIX}/docs for what this route takes"}
    return JSONResponse(body, status_code=422)


def rest_routers() -> list:
    """Every REST router, in the order the API documentation lists them: the one place routes are added."""
    from greenlight.api.routes import (
        access,
        assets,
        consent,
        jobs,
        ledger,
        productions,
        protect,
        reports,
        review,
        talent,
        verify,
    )

    return [access.router, productions.router, talent.router, consent.router, protect.router, jobs.router,
            review.router, assets.router, verify.router, ledger.router, reports.router]


def create_app(home: Path | None = None) -> FastAPI:
    """The service for the studio at ``home`` (or ``GREENLIGHT_HOME``).

    Raises:
        StudioError: there is no studio there.
    """
    from greenlight.api import ui

    app = FastAPI(title="Greenlight studio service", version="1", docs_url=f"{API_PREFIX}/docs",
                  openapi_url=f"{API_PREFIX}/openapi.json")
    app.state.studio = Studio.open(home)
    app.state.progress = None  # `greenlight serve` puts its executor's progress board here
    app.add_exception_handler(GreenlightError, _greenlight_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for router in rest_routers():
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ui.router)  # the review web UI, after the REST API
    app.add_api_route("/", ui.to_ui, include_in_schema=False)
    return app
