"""What a talent is owed for approved use, in words people read (the arithmetic is ``domain.compensation``)."""

from __future__ import annotations

from greenlight.domain import Compensation, ConsentGrant, RateUnit, Usage
from greenlight.domain.compensation import owed, owed_plain

__all__ = ["metered_text", "owed", "owed_plain", "owed_text", "quantity_text", "rate_text"]

_UNITS = {
    RateUnit.PER_SECOND.value: ("approved second", "approved seconds", "/s"),
    RateUnit.PER_IMAGE.value: ("approved image", "approved images", "/image"),
}


def quantity_text(usage: Usage) -> str:
    """``4.972 approved seconds``, ``1 approved image``, ``1 flat use``."""
    return metered_text(f"{usage.quantity:g}", usage.unit)


def metered_text(quantity: str, unit: str) -> str:
    """``quantity`` (as written) of ``unit`` (a RateUnit value): ``12.5 approved seconds``, ``3 flat uses``."""
    one, many, _ = _UNITS.get(unit, ("flat use", "flat uses", ""))
    return f"{quantity} {one if quantity == '1' else many}"


def rate_text(compensation: Compensation, short: bool = False) -> str:
    """``250.00 USD per approved second`` (``250.00 USD/s`` when ``short``), ``5000.00 USD flat``."""
    money = f"{compensation.rate} {compensation.currency}"
    if compensation.unit is RateUnit.FLAT:
        return f"{money} flat"
    one, _, suffix = _UNITS[compensation.unit.value]
    return f"{money}{suffix}" if short else f"{money} per {one}"


def owed_text(usage: Usage, grant: ConsentGrant | None, owes: bool = True) -> str:
    """One usage with its money value: ``4.972 approved seconds × 250.00 USD per approved second = 1243.00 USD
    owed under grant_…`` (``… = 1243.00 USD under grant_…`` when it is not owed, or not yet); says so when the
    grant sets no rate (zero) or cannot be found."""
    metered = quantity_text(usage)
    if grant is None:
        return f"{metered} under {usage.grant_id} (grant not found: amount owed unknown)"
    if grant.compensation.rate == 0:
        return f"{metered} under {grant.id}: the grant sets no rate (0 {grant.compensation.currency}), nothing owed"
    amount = owed(usage, grant)
    owed_word = " owed" if owes else ""
    return f"{metered} × {rate_text(grant.compensation)} = {amount} {grant.compensation.currency}{owed_word} under " \
           f"{grant.id}"
