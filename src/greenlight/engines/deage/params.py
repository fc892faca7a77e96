"""The de-aging request's parameters, checked once, as a typed record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from greenlight.errors import InvalidInput

YEARS_MIN, YEARS_MAX = 5, 30
_KNOWN = {"talent_id", "years", "reshape"}


@dataclass(frozen=True)
class DeageParams:
    """What to de-age and by how much.

    Attributes:
        talent_id: the enrolled talent whose face is altered; nobody else's is touched.
        years: how many years younger to look, 5..30.
        reshape: whether to reshape the lower face subtly (jowls, cheeks) as well as retouch.
    """

    talent_id: str
    years: int
    reshape: bool = True

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> DeageParams:
        """Check and type the request parameters.

        Raises:
            InvalidInput: a parameter is missing, unknown, of the wrong type or out of range.
        """
        unknown = sorted(set(params) - _KNOWN)
        if unknown:
            raise InvalidInput(f"unknown de-aging parameter(s): {', '.join(unknown)}",
                               "use talent_id, years and reshape")
        talent_id = params.get("talent_id")
        if not isinstance(talent_id, str) or not talent_id.strip():
            raise InvalidInput("talent_id is missing", "name the enrolled talent to de-age")
        years = params.get("years")
        if isinstance(years, bool) or not isinstance(years, int):
            raise InvalidInput(f"years must be a whole number, got {years!r}",
                               f"give {YEARS_MIN}..{YEARS_MAX}")
        if not YEARS_MIN <= years <= YEARS_MAX:
            raise InvalidInput(f"years={years} is out of range", f"give {YEARS_MIN}..{YEARS_MAX}")
        reshape = params.get("reshape", True)
        if not isinstance(reshape, bool):
            raise InvalidInput(f"reshape must be true or false, got {reshape!r}")
        return cls(talent_id=talent_id, years=years, reshape=reshape)


def talent_embeddings(likeness: Mapping[str, Any], talent_id: str) -> np.ndarray:
    """The talent's enrolled embeddings as a (K, 128) array.

    Raises:
        InvalidInput: none are given for ``talent_id``, or they are not 128-d vectors.
    """
    refs = likeness.get(talent_id)
    if not refs:
        raise InvalidInput(f"no enrolled embeddings for talent {talent_id!r}",
                           "enrol the talent's likeness before de-aging them")
    try:
        arr = np.asarray(refs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"embeddings of talent {talent_id!r} are not numeric") from exc
    if arr.ndim != 2 or arr.shape[1] != 128 or not np.isfinite(arr).all():
        raise InvalidInput(f"embeddings of talent {talent_id!r} have shape {arr.shape}",
                           "expected 128-d face embeddings")
    return arr
