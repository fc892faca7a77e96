"""The de-aging request's parameters, checked once, as a typed record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from greenlight.errors import InvalidInput

YEARS_MIN, YEARS_MAX = 5, 30
MODEL_KEYS = ("model", "model_sha256", "model_fingerprint", "model_dir")
DEVICES = ("auto", "cpu", "cuda")
_KNOWN = {"talent_id", "years", "reshape", "strength", "steps", "guidance", "age", "device", *MODEL_KEYS}


@dataclass(frozen=True)
class DeageParams:
    """What to de-age and by how much.

    Attributes:
        talent_id: the enrolled talent whose face is altered; nobody else's is touched.
        years: how many years younger to look, 5..30.
        reshape: whether to reshape the lower face subtly (jowls, cheeks) as well as retouch.
        model, model_sha256, model_fingerprint, model_dir: the registered model of the generative pass
            (``runtime.models.model_params``); empty: the classical pass alone.
        strength: how far the generative pass may move from the classical result (0..1].
        steps: the generative pass's denoising schedule (``strength`` of it runs).
        guidance: how closely the generative pass follows its prompt (0 for SD-Turbo).
        age: the talent's age in the source, when known: the prompt then names the target age.
        device: ``auto``, ``cpu`` or ``cuda`` for the generative pass.
    """

    talent_id: str
    years: int
    reshape: bool = True
    model: str = ""
    model_sha256: str = ""
    model_fingerprint: str = ""
    model_dir: str = ""
    strength: float = 0.35
    steps: int = 20
    guidance: float = 7.5
    age: int | None = None
    device: str = "auto"

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> DeageParams:
        """Check and type the request parameters.

        Raises:
            InvalidInput: a parameter is missing, unknown, of the wrong type or out of range.
        """
        unknown = sorted(set(params) - _KNOWN)
        if unknown:
            raise InvalidInput(f"unknown de-aging parameter(s): {', '.join(unknown)}",
                               f"use {', '.join(sorted(_KNOWN))}")
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
        model = {k: params.get(k) or "" for k in MODEL_KEYS}
        if any(model.values()):
            for key, value in model.items():
                if not isinstance(value, str) or not value:
                    raise InvalidInput(f"the generative pass needs a registered model ({key} missing)",
                                       "pass --model NAME (see `greenlight models list`)")
        return cls(talent_id=talent_id, years=years, reshape=reshape, **model, **_generative(params, years))


def _generative(params: Mapping[str, Any], years: int) -> dict[str, Any]:
    strength = params.get("strength", 0.35)
    if isinstance(strength, bool) or not isinstance(strength, int | float) or not 0.0 < strength <= 1.0:
        raise InvalidInput(f"strength {strength!r} is outside (0, 1]", "typical: 0.25–0.5")
    steps = params.get("steps", 20)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 200:
        raise InvalidInput(f"steps {steps!r} is not a whole number from 1 to 200", "typical: 20")
    if int(strength * steps) < 1:  # diffusers runs int(steps × strength) of them
        raise InvalidInput(f"strength {strength} of {steps} steps runs no step", "raise --strength or --steps")
    guidance = params.get("guidance", 7.5)
    if isinstance(guidance, bool) or not isinstance(guidance, int | float) or not 0.0 <= guidance <= 50.0:
        raise InvalidInput(f"guidance {guidance!r} is outside 0..50", "typical: 7.5; 0 for SD-Turbo")
    age = params.get("age")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not years < age <= 120):
        raise InvalidInput(f"age {age!r} is not a whole number above years ({years}) and at most 120",
                           "give the talent's age in the source footage")
    device = params.get("device", "auto")
    if device not in DEVICES:
        raise InvalidInput(f"unknown device {device!r}", f"use one of: {', '.join(DEVICES)}")
    return {"strength": float(strength), "steps": steps, "guidance": float(guidance), "age": age, "device": device}


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
