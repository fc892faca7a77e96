"""Gallery matching on made-up embeddings (no models needed)."""

from __future__ import annotations

import numpy as np
import pytest

from greenlight.domain.registry import LikenessReference, SubjectKind
from greenlight.likeness.gallery import MATCH_THRESHOLD, Gallery


def _ref(kind: SubjectKind, subject: str, vector: np.ndarray) -> LikenessReference:
    return LikenessReference(kind, subject, "0" * 64, tuple(float(x) for x in vector), (0, 0, 10, 10))


def _unit(i: int) -> np.ndarray:
    v = np.zeros(128)
    v[i] = 1.0
    return v


def test_nearest_reference_within_threshold_names_the_subject():
    gallery = Gallery([_ref(SubjectKind.TALENT, "tal_a", _unit(0)), _ref(SubjectKind.PROTECTED, "pp_b", _unit(1))],
                      {"tal_a": "Ann", "pp_b": "Bob"})
    near_b = _unit(1) * (1 - MATCH_THRESHOLD / 2)
    identity = gallery.identify(near_b)
    assert (identity.kind, identity.subject_id, identity.name) == (SubjectKind.PROTECTED, "pp_b", "Bob")
    assert identity.distance == pytest.approx(MATCH_THRESHOLD / 2)


def test_beyond_threshold_is_unknown_with_the_nearest_distance():
    gallery = Gallery([_ref(SubjectKind.TALENT, "tal_a", _unit(0))], {})
    far = _unit(0) + _unit(5) * (MATCH_THRESHOLD + 0.01)
    identity = gallery.identify(far)
    assert identity.kind is SubjectKind.UNKNOWN and identity.subject_id is None and identity.name is None
    assert identity.distance == pytest.approx(MATCH_THRESHOLD + 0.01)


def test_exactly_at_threshold_matches_and_a_missing_name_is_none():
    gallery = Gallery([_ref(SubjectKind.TALENT, "tal_a", _unit(0))], {})
    identity = gallery.identify(_unit(0) + _unit(3) * MATCH_THRESHOLD)
    assert identity.subject_id == "tal_a" and identity.name is None


def test_empty_gallery_knows_no_one():
    identity = Gallery([], {}).identify(_unit(0))
    assert identity.kind is SubjectKind.UNKNOWN and identity.distance is None


def test_unknown_kind_cannot_be_a_reference():
    with pytest.raises(ValueError, match="UNKNOWN"):
        Gallery([_ref(SubjectKind.UNKNOWN, "x", _unit(0))], {})
