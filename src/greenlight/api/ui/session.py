"""Signing in and out: a pasted token becomes an httponly, SameSite=Strict session cookie, and nothing else.

The cookie holds the token itself (the studio keeps only its hash), so every later request is checked
against the token's live state: revoking or expiring the token ends the session at once. SameSite=Strict
keeps another site from posting an approval or a veto with it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from greenlight.api.auth import SESSION_COOKIE, presented_secret, studio
from greenlight.api.ui.base import UIRoute, render, signed_in
from greenlight.domain.access import Caller, Role
from greenlight.errors import GreenlightError, Unauthorized

router = APIRouter(route_class=UIRoute)
HOME = {Role.TALENT_REP: "/ui/talent", Role.LEGAL: "/ui/escalations"}


def home_for(who: Caller) -> str:
    """Where a caller lands after signing in: the page their role works from."""
    return HOME.get(who.role, "/ui/queue")


@router.get("/", include_in_schema=False)
def start(request: Request) -> Response:
    """The caller's own first page, or sign-in."""
    if presented_secret(request) is None:
        return RedirectResponse("/ui/signin", status_code=303)
    return RedirectResponse(home_for(signed_in(request)), status_code=303)


@router.get("/signin", include_in_schema=False)
def signin_page(request: Request) -> Response:
    """The sign-in form."""
    return render(request, "signin.html", None)


@router.post("/signin", include_in_schema=False)
def signin(request: Request, token: Annotated[str, Form()] = "") -> Response:
    """Check the pasted token; a live one sets the session cookie, anything else says why and sets nothing."""
    try:
        who = _check(request, token)
    except Unauthorized as error:
        return render(request, "signin.html", None, 401, problem=error.problem, hint=error.hint)
    response = RedirectResponse(home_for(who), status_code=303)
    response.set_cookie(SESSION_COOKIE, token.strip(), httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


def _check(request: Request, token: str) -> Caller:
    from greenlight.runtime.access import authenticate

    if not token.strip():
        raise Unauthorized("no token was pasted", "paste the token an admin gave you (it starts with glt_)")
    try:
        return authenticate(studio(request), token)
    except Unauthorized:
        raise
    except GreenlightError as error:  # an unreadable studio is not the caller's fault, but still no session
        raise Unauthorized(error.problem, error.hint) from None


@router.post("/signout", include_in_schema=False)
def signout() -> Response:
    """Clear the session cookie (the token itself stays live until it expires or is revoked)."""
    response = RedirectResponse("/ui/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
