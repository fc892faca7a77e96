"""De-aging engine: one consenting talent made to look younger, identity and motion kept."""

from greenlight.engines.deage.engine import DeageEngine
from greenlight.engines.deage.params import DeageParams

__all__ = ["DeageEngine", "DeageParams"]
