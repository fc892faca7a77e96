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


def add_api_docs(app: FastAPI) -> None:
    """The browsable OpenAPI page at ``/api/v1/docs``, with Swagger UI served by the studio itself (the
    files of the ``fastapi-offline`` package): FastAPI's own page loads it from a CDN, which a studio
    machine off the internet cannot reach, and which would learn of every visit."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    try:
        import fastapi_offline
    except ImportError:  # a .venv made before the service extra named it: the API itself still serves
        page = (f"<p>The browsable API page needs the <code>service</code> extra (fastapi-offline): run "
                f"<code>make demo</code> or <code>pip install -e '.[service]'</code>. The OpenAPI document is at "
                f"<a href='{app.openapi_url}'>{app.openapi_url}</a>.</p>")
        app.add_api_route(f"{API_PREFIX}/docs", lambda: HTMLResponse(page), include_in_schema=False)
        return
    files = f"{API_PREFIX}/docs/static"
    app.mount(files, StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"), name="api-docs")

    def docs_page() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title}: API",
                                   swagger_js_url=f"{files}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{files}/swagger-ui.css",
                                   swagger_favicon_url=f"{files}/favicon.png")

    app.add_api_route(f"{API_PREFIX}/docs", docs_page, include_in_schema=False)


def create_app(home: Path | None = None) -> FastAPI:
    """The service for the studio at ``home`` (or ``GREENLIGHT_HOME``).

    Raises:
        StudioError: there is no studio there.
    """
    from greenlight.api import ui

    app = FastAPI(title="Greenlight studio service", version="1", docs_url=None,
                  openapi_url=f"{API_PREFIX}/openapi.json")
    add_api_docs(app)
    app.state.studio = Studio.open(home)
    app.state.progress = None  # `greenlight serve` puts its executor's progress board here
    app.add_exception_handler(GreenlightError, _greenlight_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for router in rest_routers():
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ui.router)  # the review web UI, after the REST API
    app.add_api_route("/", ui.to_ui, include_in_schema=False)
    return app
