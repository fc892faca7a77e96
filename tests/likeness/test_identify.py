"""Enrol each person from one photo; their other photos match them, and no one else's do."""

from __future__ import annotations

import pytest

from greenlight.domain.registry import SubjectKind
from greenlight.likeness.gallery import MATCH_THRESHOLD
from greenlight.likeness.scan import scan_image
from tests.conftest import sample_exists, sample_folder
from tests.likeness.conftest import ENROL, NAMES, PROTECTED


def _other_photos(person: str) -> list[str]:
    """Every photo of the person in the sample folder except the one they are enrolled from."""
    folder = sample_folder() / person
    photos = sorted(f"{person}/{p.name}" for p in folder.glob("*") if p.suffix in (".jpg", ".png"))
    return [photo for photo in photos if photo != ENROL[person]]


# Obama's partial faces and RGBA copy come with the cache; more people and photos with a shared folder.
OTHER_PHOTOS = {person: _other_photos(person) for person in ENROL}
SCENES = [pytest.param("two_shot", id="obama-beside-biden"),
          *([pytest.param("scenes/obama_and_biden.jpg", id="obama-and-biden")]
            if sample_exists("scenes/obama_and_biden.jpg") else [])]


@pytest.mark.parametrize(("person", "photo"), [(p, f) for p, fs in OTHER_PHOTOS.items() for f in fs])
def test_other_photos_of_a_person_match_that_person(faces_dir, gallery, analyzer, person, photo):
    result = scan_image(faces_dir / photo, gallery, analyzer)
    assert len(result.faces) == 1
    identity = result.faces[0].identity
    assert identity.subject_id == person
    assert identity.name == NAMES[person]
    assert identity.kind is (SubjectKind.PROTECTED if person in PROTECTED else SubjectKind.TALENT)
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


# (Found by the scan's detector, the box differs a little from enrolment's: 0.02–0.05 for these two.)
@pytest.mark.parametrize("person", [p for p in ("biden", "lin_manuel_miranda") if p in ENROL])
def test_enrolment_photo_matches_itself_closely(faces_dir, gallery, analyzer, person):
    (face,) = scan_image(faces_dir / ENROL[person], gallery, analyzer).faces
    assert face.identity.subject_id == person
    assert face.identity.distance < 0.05


@pytest.mark.parametrize("scene", SCENES)
def test_obama_and_biden_are_both_found_and_named(request, faces_dir, gallery, analyzer, scene):
    photo = request.getfixturevalue("two_shot") if scene == "two_shot" else faces_dir / scene
    result = scan_image(photo, gallery, analyzer)
    assert result.media == "image" and (result.width, result.height) == (
        (1280, 720) if scene == "two_shot" else (2000, 1428))
    named = {f.identity.subject_id for f in result.faces if f.identity.kind is SubjectKind.PROTECTED}
    assert named == {"obama", "biden"}
    # Nobody else is named: in the shared photo the third face is a girl in front of them, not enrolled.
    assert [f.identity.kind for f in result.faces].count(SubjectKind.UNKNOWN) == len(result.faces) - 2
