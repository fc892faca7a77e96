"""`greenlight token`: a secret shown once, never listed, refused once revoked; bad requests change nothing."""

import json

import pytest

from greenlight.errors import Unauthorized
from greenlight.runtime.access import authenticate
from greenlight.runtime.studio import Studio
from tests.cli.conftest import one_line_error


def secret_of(run) -> str:
    [secret] = [line for line in run.out.splitlines() if line.startswith("glt_")]
    return secret


def test_create_list_revoke(cli):
    assert cli("talent", "add", "Dana Reyes").code == 0
    made = cli("token", "create", "--role", "talent-rep", "--for", "Sam Okafor", "--talent", "Dana Reyes",
               "--expires", "2027-01-15")
    assert made.code == 0, made.err
    assert "shown once" in made.out
    assert "expires at the end of 2027-01-15 (UTC)" in made.out  # the day given, which it works through
    secret = secret_of(made)
    studio = Studio.open(cli.home)
    assert authenticate(studio, secret).holder == "Sam Okafor"
    [listed] = json.loads(cli("token", "list", "--json").out)
    assert listed["role"] == "talent-rep" and listed["expires_at"].startswith("2027-01-16T00:00:00")
    assert "secret_sha256" not in listed
    assert secret not in cli("token", "list").out
    assert cli("token", "revoke", listed["id"]).code == 0
    assert "revoked" in cli("token", "list").out
    with pytest.raises(Unauthorized):
        authenticate(studio, secret)


@pytest.mark.parametrize(("args", "needles"), [
    (("--role", "boss", "--for", "X"), ("unknown role 'boss'", "talent-rep")),
    (("--role", "talent-rep", "--for", "X"), ("must name the talent",)),
    (("--role", "talent-rep", "--for", "X", "--talent", "Nobody"), ("Nobody",)),
    (("--role", "reviewer", "--for", "X", "--expires", "2020-01-01"), ("in the past", "end of 2020-01-01")),
    (("--role", "reviewer", "--for", "X", "--expires", "next week"), ("--expires", "not a date")),
    (("--role", "reviewer", "--for", "  "), ("needs the name",)),
])
def test_bad_requests_issue_nothing(cli, snapshot, args, needles):
    before = snapshot()
    one_line_error(cli("token", "create", *args), *needles)
    assert snapshot() == before


def test_an_expiry_over_a_year_ahead_names_the_day_given(cli, snapshot):
    from datetime import date, timedelta

    day = (date.today() + timedelta(days=400)).isoformat()
    before = snapshot()
    one_line_error(cli("token", "create", "--role", "reviewer", "--for", "X", "--expires", day),
                   f"end of {day} (UTC) is more than a year ahead")
    assert snapshot() == before


def test_revoking_an_unknown_token_is_one_line(cli):
    one_line_error(cli("token", "revoke", "tok_nope"), "tok_nope")
