"""What a talent is owed for approved use: the metered amount under the grant's rate, in words people read."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from greenlight.domain import Compensation, ConsentGrant, RateUnit, Usage

_UNITS = {
    RateUnit.PER_SECOND.value: ("approved second", "approved seconds", "/s"),
    RateUnit.PER_IMAGE.value: ("approved image", "approved images", "/image"),
}
CENT = Decimal("0.01")


def quantity_text(usage: Usage) -> str:
    """``4.972 approved seconds``, ``1 approved image``, ``1 flat use``."""
    one, many, _ = _UNITS.get(usage.unit, ("flat use", "flat uses", ""))
    return f"{usage.quantity:g} {one if usage.quantity == 1 else many}"


def rate_text(compensation: Compensation, short: bool = False) -> str:
    """``250.00 USD per approved second`` (``250.00 USD/s`` when ``short``), ``5000.00 USD flat``."""
    money = f"{compensation.rate} {compensation.currency}"
    if compensation.unit is RateUnit.FLAT:
        return f"{money} flat"
    one, _, suffix = _UNITS[compensation.unit.value]
    return f"{money}{suffix}" if short else f"{money} per {one}"


def owed(usage: Usage, grant: ConsentGrant) -> Decimal:
    """The metered quantity times the grant's rate, to the cent (a flat fee is owed once)."""
    quantity = Decimal(1) if grant.compensation.unit is RateUnit.FLAT else Decimal(str(usage.quantity))
    return (quantity * grant.compensation.rate).quantize(CENT, rounding=ROUND_HALF_UP)


def owed_text(usage: Usage, grant: ConsentGrant | None) -> str:
    """One usage with its money value: ``4.972 approved seconds × 250.00 USD per approved second = 1243.00 USD
    owed under grant_…``; says so when the grant sets no rate (zero) or cannot be found."""
    metered = quantity_text(usage)
    if grant is None:
        return f"{metered} under {usage.grant_id} (grant not found: amount owed unknown)"
    if grant.compensation.rate == 0:
        return f"{metered} under {grant.id}: the grant sets no rate (0 {grant.compensation.currency}), nothing owed"
    amount = owed(usage, grant)
    return f"{metered} × {rate_text(grant.compensation)} = {amount} {grant.compensation.currency} owed under {grant.id}"


def owed_plain(usage: Usage, grant: ConsentGrant | None) -> dict[str, str | None]:
    """The JSON form of what one usage owes: amount (a decimal string, None when unknown) and currency."""
    if grant is None:
        return {"grant_id": usage.grant_id, "amount": None, "currency": None, "rate": None, "unit": usage.unit}
    return {"grant_id": grant.id, "amount": str(owed(usage, grant)), "currency": grant.compensation.currency,
            "rate": str(grant.compensation.rate), "unit": grant.compensation.unit.value}
