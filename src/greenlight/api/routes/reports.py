"""Reports: ``/reports/usage`` (approved use and what each talent is owed, as `greenlight report usage`)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from greenlight.api.auth import Home, Who
from greenlight.api.scope import rep_talent
from greenlight.domain.access import Role

router = APIRouter(tags=["reports"])


@router.get("/reports/usage", name="reports.usage",
            responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with ?format=csv"}})
def usage(who: Who, studio: Home, production: str | None = None, talent: str | None = None,
          format: Literal["json", "csv"] = "json") -> Any:
    """Approved use per talent, production and grant with each grant's terms applied; totals per talent and
    currency. A talent rep gets their own talent's lines only."""
    from greenlight.runtime.reports import usage_report

    if who.role is Role.TALENT_REP:
        with studio.transaction() as tx:
            talent = rep_talent(tx.registry, who, talent)
    report = usage_report(studio, production, talent)
    if format == "csv":
        return PlainTextResponse(report.to_csv(), media_type="text/csv",
                                 headers={"Content-Disposition": 'attachment; filename="usage.csv"'})
    return report.to_plain()
