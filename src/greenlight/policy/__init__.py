"""Policy: prompt screening, consent checks and the guards built from them."""

from greenlight.policy.consent import ConsentContext, consent_reasons
from greenlight.policy.guard import likeness_decision, text_decision
from greenlight.policy.names import name_reasons
from greenlight.policy.screening import NamedSubject, NameHit, normalise, screen_text

__all__ = [
    "ConsentContext",
    "NameHit",
    "NamedSubject",
    "consent_reasons",
    "likeness_decision",
    "name_reasons",
    "normalise",
    "screen_text",
    "text_decision",
]
