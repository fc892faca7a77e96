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


def test_a_protected_person_reaches_from_the_mean_of_their_references_as_at_enrolment():
    # Enrolment refuses a face too close to any reference of a protected person or to their mean; a face near a
    # talent but that close only to the mean was allowed without naming the protected person.
    from greenlight.likeness.enrol import ENROL_SEPARATION
    from greenlight.likeness.gallery import PROTECTED_REACH

    mean = 2 * _unit(1)
    talent = mean + 0.5 * _unit(5) + 0.3 * _unit(4)
    gallery = Gallery([_ref(SubjectKind.PROTECTED, "pp_b", mean + 0.5 * _unit(3)),
                       _ref(SubjectKind.PROTECTED, "pp_b", mean - 0.5 * _unit(3)),
                       _ref(SubjectKind.TALENT, "tal_a", talent)], {"tal_a": "Ann", "pp_b": "Bob"})
    face = mean + 0.5 * _unit(5)
    assert min(gallery.distances(face)[:2]) > max(PROTECTED_REACH, ENROL_SEPARATION)  # each reference is far
    identity = gallery.identify(face)
    assert identity.subject_id == "tal_a" and [a.subject_id for a in identity.also] == ["pp_b"]
    assert identity.also[0].distance == pytest.approx(0.5)


def test_a_talents_mean_does_not_widen_what_is_taken_for_them():
    # the mean counts only for protected persons: a face near a talent's mean alone is not their likeness, and
    # so not covered by their consent
    mean = 2 * _unit(1)
    gallery = Gallery([_ref(SubjectKind.TALENT, "tal_a", mean + 0.5 * _unit(3)),
                       _ref(SubjectKind.TALENT, "tal_a", mean - 0.5 * _unit(3))], {"tal_a": "Ann"})
    assert gallery.identify(mean + 0.5 * _unit(5)).kind is SubjectKind.UNKNOWN


def test_a_second_measure_of_the_face_can_bring_in_a_protected_person_but_never_a_talent():
    gallery = Gallery([_ref(SubjectKind.PROTECTED, "pp_b", _unit(1)), _ref(SubjectKind.TALENT, "tal_a", _unit(0)),
                       _ref(SubjectKind.TALENT, "tal_c", _unit(1) * 0.5 + _unit(2) * 0.9)], {})
    face, enrolment_crop = _unit(0) * 0.9, _unit(0) * 0.2 + _unit(1) * 0.7 + _unit(2) * 0.45  # near pp_b and tal_c
    assert [a.subject_id for a in gallery.identify(face).also] == []
    identity = gallery.identify(face, enrolment_crop)
    assert identity.subject_id == "tal_a" and [a.subject_id for a in identity.also] == ["pp_b"]
