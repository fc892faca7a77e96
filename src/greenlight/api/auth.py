"""Who is calling: the bearer token (or the web UI's session cookie) checked on every request.

Routes declare the roles they admit with ``who: Annotated[Caller, Depends(allow(Role.REVIEWER, ...))]``;
an admin is admitted everywhere. A refusal is an ``Unauthorized`` (401: no token, or not live) or
``Forbidden`` (403: the role may not) raised before the route body runs, so a refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from greenlight.domain.access import Caller, Role
from greenlight.errors import Forbidden, Unauthorized
from greenlight.runtime.studio import Studio

SESSION_COOKIE = "greenlight_session"


def studio(request: Request) -> Studio:
    """The studio the app serves (opened once, when the app was made)."""
    return request.app.state.studio


def presented_secret(request: Request) -> str | None:
    """The token a request carries: ``Authorization: Bearer …``, else the UI's session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(SESSION_COOKIE) or None


def caller(request: Request) -> Caller:
    """The live token's caller. Raises Unauthorized."""
    from greenlight.runtime.access import authenticate

    secret = presented_secret(request)
    if secret is None:
        raise Unauthorized("this request carries no access token", "send `Authorization: Bearer <token>`")
    return authenticate(studio(request), secret)


def allow(*roles: Role) -> Callable[..., Caller]:
    """A dependency admitting callers in ``roles`` (and admins); others get 403."""

    def admitted(who: Annotated[Caller, Depends(caller)]) -> Caller:
        if who.role is not Role.ADMIN and who.role not in roles:
            needed = ", ".join(r.value for r in roles) or "admin"
            raise Forbidden(f"a {who.role.value} token may not do this", f"it needs one of: admin, {needed}")
        return who

    return admitted
