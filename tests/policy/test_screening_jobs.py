"""Every free-text field of a job is screened, through the real CLI: `greenlight screen` and `ingest --tool`."""

from __future__ import annotations

import json

import pytest
from tests.cli.conftest import cli  # noqa: F401  (the fixture: the real entry point on a fresh studio)

from greenlight.policy.jobs import job_text


def test_job_text_gathers_every_string_but_ids_and_settings():
    params = {"tool": "0bama cam", "use": "previs", "talent_id": "tal_x", "years": 10,
              "notes": ["wide", {"look": "Darth Vader"}], "prompt": "a hero"}
    text = job_text(params, ["barack_obama.png"]).split("\n")
    assert text == ["0bama cam", "wide", "Darth Vader", "a hero", "barack_obama.png",
                    "tool", "years", "notes", "look", "prompt"]


@pytest.mark.parametrize(
    "params, subject",
    [({"prompt": "portrait, O b a", "negative": "m a"}, "pp_obama"), ({"prompt": "Ob", "style": "ama"}, "pp_obama"),
     ({"prompt": "Vader", "negative": "Darth"}, "pw_empire"), ({"prompt": "Joe", "style": "Biden"}, "pp_biden")],
)
def test_a_name_split_across_two_fields_is_still_one_name(params, subject):
    from tests.policy.adversarial_names import EVERYONE

    from greenlight.policy import screen_text

    assert subject in [h.subject.subject_id for h in screen_text(job_text(params), EVERYONE)]


@pytest.mark.parametrize(
    "params",
    [{"tool": "acme-gen", "Barack Obama": "hero likeness"}, {"tool": {"name": "acme-gen", "Barack Obama": "v2"}},
     {"opts": [{"Barack Obama": 1}]}],
)
def test_a_name_written_as_a_parameter_key_is_screened(params):
    # the REST API takes any JSON object as params: a key is free text the artist wrote, like a value
    from tests.policy.adversarial_names import EVERYONE

    from greenlight.policy import screen_text

    assert [h.subject.subject_id for h in screen_text(job_text(params), EVERYONE)] == ["pp_obama"]


@pytest.fixture
def studio(cli):  # noqa: F811
    """A studio with signing keys, a production, a protected person and a protected work."""
    assert cli("keys", "init").code == 0
    cli("production", "add", "NIGHTFALL", "Nightfall")
    assert cli("protect", "person", "Barack Obama").code == 0
    assert cli("protect", "work", "Star Wars: The Empire Strikes Back", "--character", "Darth Vader").code == 0
    return cli


@pytest.mark.parametrize(
    "prompt, code",
    [
        ("a portrait of B4r4ck 0b4m4 at a podium", 4),
        ("Βarack Οbama waving", 4),
        ("B a r a c k O b a m a", 4),
        ("O.b.a.m.a at a podium", 3),
        ("Obamma giving a speech", 3),
        ("a darthvader helmet", 3),
        ("The Empire Strikes Back lighting", 3),
        ("a star wars-era costume", 3),
        ("a hairy potter at his wheel", 0),
        ("the bamboo forest at dawn", 0),
        ("a senator " + "".join(chr(0xE0000 + ord(c)) for c in "Barack Obama"), 4),
        ("\u202eamabo kcarab", 4),
        ("Barack Ob&#97;ma", 4),
        ("Barack<br>Obama", 4),
        ("()bama", 3),
        ("🅱🅰🆁🅰🅲🅺 🅾🅱🅰🅼🅰", 4),
        ("Барак Обама", 4),
        ("Μπαράκ Ομπάμα", 4),
        ("an obamaesque senator", 3),
        ("Shot 12: make it darker.", 0),
        ("Οβαμα at a podium", 3),
        ("Βαρακ Οβαμα at a podium", 4),
        ("Vader's helmet on the desk", 3),
        ("Lord Vader on the bridge", 3),
        ("a luke-warm coffee", 0),
    ],
)
def test_screen_command_sees_through_tricks(studio, prompt, code):
    run = studio("screen", prompt, "--production", "NIGHTFALL", "--use", "digital-alteration")
    assert run.code == code, (prompt, run.out, run.err)


def _ingest(studio, plate, tool):
    run = studio("ingest", plate, "--tool", tool, "--production", "NIGHTFALL", "--json")
    return run.code, json.loads(run.out)


def test_the_outside_tools_name_and_the_file_name_are_screened_at_ingest(studio, tmp_path):
    from skimage import data

    from greenlight.media import save_image

    plate = save_image(tmp_path / "plate.png", data.coffee())  # no face in it: only names can stop it
    code, result = _ingest(studio, plate, "Matte Painter 4")
    assert code == 0 and result["state"] == "in_review"
    code, result = _ingest(studio, plate, "0bama cam")
    assert code == 3 and result["state"] == "escalated" and result["assets"] == []
    assert [r["code"] for r in result["reasons"]] == ["name.possible"]
    code, result = _ingest(studio, plate, "Οβαμα face model")
    assert code == 3 and result["state"] == "escalated"
    code, result = _ingest(studio, plate, "B4rack 0bama Studio")
    assert code == 4 and "protected.person" in [r["code"] for r in result["reasons"]]
    named = save_image(tmp_path / "barack_obama_v2.png", data.coffee())
    code, result = _ingest(studio, named, "Matte Painter 4")
    assert code == 4 and "protected.person" in [r["code"] for r in result["reasons"]]


def test_a_name_in_another_script_is_screened_through_its_alias(studio, tmp_path):
    from skimage import data

    from greenlight.media import save_image

    assert studio("protect", "person", "Joe Biden", "--alias", "拜登", "--alias", "ジョー・バイデン").code == 0
    for text in ("拜登在讲台上", "ジョー・バイデンの肖像"):
        run = studio("screen", text, "--production", "NIGHTFALL", "--use", "previs")
        assert run.code == 4, (text, run.out)
    plate = save_image(tmp_path / "拜登.png", data.coffee())
    code, result = _ingest(studio, plate, "Matte Painter 4")
    assert code == 4 and "protected.person" in [r["code"] for r in result["reasons"]]
