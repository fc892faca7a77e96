"""What every page of the review UI shares: the route class that turns typed errors into pages, templates, the caller.

A page never answers with the REST API's JSON errors: a request without a live session shows the sign-in
page (401), and any other refusal or mistake shows one plain page saying what was wrong (403, 404, 409, 422),
having changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from greenlight.api.auth import SESSION_COOKIE, presented_secret, studio
from greenlight.domain.access import Caller, Role
from greenlight.errors import Forbidden, GreenlightError, Unauthorized

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# Pages that hold drafts or names are never kept by a browser cache or a proxy.
PRIVATE = {"Cache-Control": "no-store, private"}
# The links in the page header, and who sees each one.
NAV = (
    ("Review queue", "/ui/queue", None),
    ("Escalations", "/ui/escalations", frozenset({Role.ADMIN, Role.LEGAL, Role.PRODUCER, Role.REVIEWER})),
    ("Talent", "/ui/talent", frozenset({Role.ADMIN, Role.LEGAL, Role.PRODUCER, Role.TALENT_REP})),
    ("Ledger", "/ui/ledger", frozenset({Role.ADMIN, Role.LEGAL, Role.PRODUCER, Role.REVIEWER})),
)


def render(request: Request, name: str, who: Caller | None, status_code: int = 200, **context: Any) -> Response:
    """The template ``name`` with the page header for ``who``."""
    nav = [(label, href) for label, href, roles in NAV if who and (roles is None or who.role in roles)]
    page = {"who": who, "nav": nav, "path": request.url.path, **context}
    return templates.TemplateResponse(request, name, page, status_code=status_code, headers=PRIVATE)


def signed_in(request: Request) -> Caller:
    """The caller behind the session cookie (or a bearer token). Raises Unauthorized."""
    from greenlight.api.auth import caller

    return caller(request)


class UIRoute(APIRoute):
    """A route whose typed errors become pages: the sign-in page for 401, an error page otherwise."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                _same_origin(request)
                return await handler(request)
            except Unauthorized as error:
                # Someone who has not signed in yet is asked to; a token that stopped working is told why.
                said = {"problem": error.problem, "hint": error.hint} if presented_secret(request) else {}
                response = render(request, "signin.html", None, 401, **said)
                if request.cookies.get(SESSION_COOKIE):
                    response.delete_cookie(SESSION_COOKIE, path="/")
                return response
            except GreenlightError as error:
                return _error_page(request, error)

        return page


def _same_origin(request: Request) -> None:
    """Refuse a form posted from another site (SameSite=Strict already keeps the cookie off it; this says so
    plainly when a browser sends the Origin header). Raises Forbidden."""
    origin = request.headers.get("origin")
    if request.method == "POST" and origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Forbidden(f"a form posted from {origin} is not this studio's", "use the studio's own pages")


def _error_page(request: Request, error: GreenlightError) -> Response:
    from greenlight.api.app import status_for

    try:
        who = signed_in(request)
    except GreenlightError:
        who = None
    return render(request, "error.html", who, status_for(error), kind=type(error).__name__, problem=error.problem,
                  hint=error.hint)


__all__ = ["UIRoute", "render", "signed_in", "studio", "templates"]
