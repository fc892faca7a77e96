"""docs/api.md says what the service does: its role table is the one the routes check."""

from __future__ import annotations

from pathlib import Path

from greenlight.api.app import API_PREFIX, rest_routers
from greenlight.api.roles import ACCESS, EVERYONE
from greenlight.domain.access import Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_rows() -> set[tuple[str, str, str]]:
    rows = set()
    for line in DOC.read_text("utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].split(" ", 1)[0] in ("GET", "POST"):
            rows.add(tuple(cells))
    return rows


def test_the_role_table_in_the_docs_is_the_one_the_routes_check():
    def roles(name: str) -> str:
        admitted = ACCESS[name]
        return "everyone" if admitted == EVERYONE else ", ".join(r.value for r in Role if r in admitted)

    expected = {(route.name, f"{method} {API_PREFIX}{route.path}", roles(route.name))
                for router in rest_routers() for route in router.routes for method in route.methods}
    assert documented_rows() == expected
