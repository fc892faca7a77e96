"""The parameters of a previz job, read and checked from the job's plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from greenlight.errors import InvalidInput

DEVICES = ("auto", "cpu", "cuda")
MAX_VARIATIONS = 64
MAX_SIDE = 2048


@dataclass(frozen=True)
class PrevizParams:
    """A concept-frame request.

    ``n`` variations are made, variation ``i`` from seed ``seed + i``. ``width``/``height`` of 0 mean the
    model's own size. ``strength`` is how far image-to-image moves away from the reference (0..1].
    ``attention_slicing``, ``vae_tiling`` and ``cpu_offload`` trade speed for memory on large models.
    """

    brief: str
    model: str
    model_sha256: str
    model_fingerprint: str
    model_dir: str
    negative: str = ""
    n: int = 4
    steps: int = 25
    width: int = 0
    height: int = 0
    guidance: float = 7.5
    strength: float = 0.6
    batch: int = 0  # variations per forward pass; 0: all at once
    device: str = "auto"
    attention_slicing: bool = False
    vae_tiling: bool = False
    cpu_offload: bool = False

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> PrevizParams:
        """Read and check the parameters.

        Raises:
            InvalidInput: an unknown, missing or out-of-range parameter, naming it.
        """
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(params) - known)
        if unknown:
            raise InvalidInput(f"unknown previz parameter(s): {', '.join(unknown)}",
                               f"known: {', '.join(sorted(known))}")
        if not str(params.get("brief", "")).strip():
            raise InvalidInput("the brief is empty", 'say what to visualise, e.g. "a concrete bunker corridor at dawn"')
        for key in ("model", "model_sha256", "model_fingerprint", "model_dir"):
            if not params.get(key):
                raise InvalidInput(f"previz needs a registered model ({key} missing)", "pass --model NAME")
        try:
            p = cls(**params)
        except TypeError as e:
            raise InvalidInput(f"previz parameters: {e}") from None
        p._check()
        return p

    def _check(self) -> None:
        _between("n", self.n, 1, MAX_VARIATIONS)
        _between("steps", self.steps, 1, 500)
        for side in ("width", "height"):
            value = getattr(self, side)
            if value and (value < 8 or value > MAX_SIDE or value % 8):
                raise InvalidInput(f"{side} {value} is not a multiple of 8 between 8 and {MAX_SIDE}",
                                   "use e.g. 512, 768 or 1024 (or 0 for the model's own size)")
        if not 0.0 <= float(self.guidance) <= 50.0:
            raise InvalidInput(f"guidance {self.guidance} is outside 0..50", "typical: 7.5; 0 for SD-Turbo")
        if not 0.0 < float(self.strength) <= 1.0:
            raise InvalidInput(f"strength {self.strength} is outside (0, 1]", "typical: 0.5–0.8")
        _between("batch", self.batch, 0, MAX_VARIATIONS)
        if self.device not in DEVICES:
            raise InvalidInput(f"unknown device {self.device!r}", f"use one of: {', '.join(DEVICES)}")


def _between(name: str, value: Any, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{name} {value!r} is not a whole number from {low} to {high}")
