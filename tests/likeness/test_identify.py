"""Enrol each person from one photo; their other photos match them, and no one else's do."""

from __future__ import annotations

import pytest

from greenlight.domain.registry import SubjectKind
from greenlight.likeness.gallery import MATCH_THRESHOLD
from greenlight.likeness.scan import scan_image
from tests.likeness.conftest import ENROL, NAMES

OTHER_PHOTOS = {
    "obama": ["obama/obama2.jpg", "obama/obama3.jpg", "obama/obama_480p.jpg", "obama/obama_partial_face.jpg"],
    "biden": ["biden/biden2.jpg"],
    "alex_lacamoire": ["alex_lacamoire/alex_lacamoire2.png"],
    "rose_leslie": ["rose_leslie/rose_leslie2.jpg"],
}


@pytest.mark.parametrize(("person", "photo"), [(p, f) for p, fs in OTHER_PHOTOS.items() for f in fs])
def test_other_photos_of_a_person_match_that_person(faces_dir, gallery, analyzer, person, photo):
    result = scan_image(faces_dir / photo, gallery, analyzer)
    assert len(result.faces) == 1
    identity = result.faces[0].identity
    assert identity.subject_id == person
    assert identity.name == NAMES[person]
    assert identity.kind is (SubjectKind.PROTECTED if person in ("obama", "biden") else SubjectKind.TALENT)
    assert identity.distance <= MATCH_THRESHOLD


@pytest.mark.parametrize("person", list(OTHER_PHOTOS))
def test_everyone_else_is_unknown_to_a_gallery_without_them(faces_dir, references, analyzer, person):
    from greenlight.likeness.gallery import Gallery

    without = Gallery([r for sid, r in references.items() if sid != person], NAMES)
    for photo in [ENROL[person], *OTHER_PHOTOS[person]]:
        (face,) = scan_image(faces_dir / photo, without, analyzer).faces
        assert face.identity.kind is SubjectKind.UNKNOWN, photo
        assert face.identity.subject_id is None
        assert face.identity.distance > MATCH_THRESHOLD


def test_enrolment_photo_matches_itself_closely(faces_dir, gallery, analyzer):
    (face,) = scan_image(faces_dir / ENROL["lin_manuel_miranda"], gallery, analyzer).faces
    assert face.identity.subject_id == "lin_manuel_miranda"
    assert face.identity.distance < 0.05


def test_obama_and_biden_are_both_found_and_named(faces_dir, gallery, analyzer):
    result = scan_image(faces_dir / "scenes" / "obama_and_biden.jpg", gallery, analyzer)
    assert result.media == "image" and (result.width, result.height) == (2000, 1428)
    named = {f.identity.subject_id for f in result.faces if f.identity.kind is SubjectKind.PROTECTED}
    assert named == {"obama", "biden"}
    # The third face is a girl in front of them, who is not enrolled.
    assert [f.identity.kind for f in result.faces].count(SubjectKind.UNKNOWN) == len(result.faces) - 2
