"""Who is calling: the bearer token (or the web UI's session cookie) checked on every request.

REST routes take their caller as ``who: Who``: the roles admitted are looked up by the route's name in
``api.roles.ACCESS``. Other routes (the web UI's) may declare theirs with
``who: Annotated[Caller, Depends(allow(Role.REVIEWER, ...))]``. An admin is admitted everywhere. A refusal
is an ``Unauthorized`` (401: no token, or not live) or ``Forbidden`` (403: the role may not) raised before
the route body runs, so a refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from greenlight.domain.access import Caller, Role
from greenlight.errors import Forbidden, Unauthorized
from greenlight.runtime.studio import Studio

SESSION_COOKIE = "greenlight_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def studio(request: Request) -> Studio:
    """The studio the app serves (opened once, when the app was made)."""
    return request.app.state.studio


def bearer_secret(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, if the request has one."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def presented_secret(request: Request) -> str | None:
    """The token a request carries: ``Authorization: Bearer …``, else the UI's session cookie."""
    return bearer_secret(request) or request.cookies.get(SESSION_COOKIE) or None


def _from_this_site(request: Request) -> None:
    """Refuse a state-changing request that rides on the session cookie from another origin.

    A browser sends the cookie with any form another page posts to the same site (another port of the same host
    counts), and the REST API takes the cookie too: a multipart job or a bodiless revoke needs no script.
    A bearer header is never sent by a browser on its own, so only cookie requests are checked. Raises Forbidden.
    """
    if request.method in SAFE_METHODS:
        return
    sent_from = request.headers.get("origin") or request.headers.get("referer")
    if sent_from and urlsplit(sent_from).netloc != request.headers.get("host", ""):
        raise Forbidden(f"a request from {urlsplit(sent_from).netloc or sent_from} may not use this studio's "
                        "session", "use the studio's own pages, or send `Authorization: Bearer <token>`")


def caller(request: Request) -> Caller:
    """The live token's caller. Raises Unauthorized."""
    from greenlight.runtime.access import authenticate

    secret = presented_secret(request)
    if secret is None:
        raise Unauthorized("this request carries no access token", "send `Authorization: Bearer <token>`")
    if bearer_secret(request) is None:
        _from_this_site(request)
    return authenticate(studio(request), secret)


def allow(*roles: Role) -> Callable[..., Caller]:
    """A dependency admitting callers in ``roles`` (and admins); others get 403."""

    def admitted(who: Annotated[Caller, Depends(caller)]) -> Caller:
        if who.role is not Role.ADMIN and who.role not in roles:
            needed = ", ".join(r.value for r in roles) or "admin"
            raise Forbidden(f"a {who.role.value} token may not do this", f"it needs one of: admin, {needed}")
        return who

    return admitted


def permitted(request: Request, who: Annotated[Caller, Depends(caller)]) -> Caller:
    """The caller, if the route's entry in ``api.roles.ACCESS`` admits their role; else 403."""
    from greenlight.api.roles import ACCESS, ADMIN_ONLY, admitted

    route = getattr(request.scope.get("route"), "name", "")
    if not admitted(route, who.role):
        needed = ", ".join(sorted(r.value for r in ACCESS.get(route, ADMIN_ONLY)))
        article = "an" if who.role.value[0] in "aeiou" else "a"
        raise Forbidden(f"{article} {who.role.value} token may not do this ({route})", f"it needs one of: {needed}")
    return who


Who = Annotated[Caller, Depends(permitted)]
"""The admitted caller of a REST route (see ``api.roles``)."""

Home = Annotated[Studio, Depends(studio)]
"""The studio a route works on."""
