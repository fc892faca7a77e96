"""Prompt screening: names in free text, robust to case, accents and small typos, not to ordinary words."""

import pytest

from greenlight.policy import NamedSubject, screen_text
from greenlight.policy.screening import edit_distance

OBAMA = NamedSubject("protected-person", "pp_obama", "Barack Obama", ("Barack Obama", "President Obama"))
BIDEN = NamedSubject("protected-person", "pp_biden", "Joe Biden", ("Joe Biden",))
ZOE = NamedSubject("talent", "tal_zoe", "Zoë Saldaña", ("Zoë Saldaña",))
LIN = NamedSubject("talent", "tal_lin", "Lin-Manuel Miranda", ("Lin-Manuel Miranda", "LMM"))
WORK = NamedSubject("protected-work", "pw_sw", "Star Wars", ("Star Wars", "Darth Vader", "Chewbacca"))
EVERYONE = [OBAMA, BIDEN, ZOE, LIN, WORK]


def found(text):
    return {(h.subject.subject_id, h.exact, h.surname_only) for h in screen_text(text, EVERYONE)}


@pytest.mark.parametrize(
    "text, subject",
    [
        ("a portrait of BARACK OBAMA at a podium", "pp_obama"),
        ("zoe saldana walking through the set", "tal_zoe"),
        ("Lin Manuel Miranda singing on stage", "tal_lin"),
        ("lin-manuel miranda's costume fitting", "tal_lin"),
        ("close-up of LMM in the rain", "tal_lin"),
        ("a starship battle like star wars", "pw_sw"),
        ("a hero in a Darth-Vader helmet", "pw_sw"),
    ],
)
def test_names_found_regardless_of_case_accent_and_punctuation(text, subject):
    assert (subject, True, False) in found(text)


@pytest.mark.parametrize(
    "text, subject",
    [
        ("Barak Obama shaking hands", "pp_obama"),
        ("Joe Bidden at the airport", "pp_biden"),
        ("Lin-Manuel Mirandda", "tal_lin"),
        ("a wookiee like Chewbaca", "pw_sw"),
    ],
)
def test_small_misspellings_are_caught(text, subject):
    assert (subject, False, False) in found(text)


def test_surname_alone_is_a_possible_hit():
    assert ("pp_obama", True, True) in found("Obama giving a speech")


@pytest.mark.parametrize(
    "text",
    [
        "a hidden door behind the bookcase",  # hidden ~ biden
        "she bided her time in the garden",  # bided ~ biden
        "an old bidet in the bathroom",
        "a mirador overlooking the sea",
        "linen curtains and a manual typewriter",
        "stars and wars of the ancient world",
        "Joseph and Bridget at breakfast",
    ],
)
def test_ordinary_words_are_not_flagged(text):
    assert found(text) == set()


def test_whole_words_only():
    assert found("obamacare protest placards") == set()


def test_edit_distance_counts_swaps_once():
    assert edit_distance("obmaa", "obama", 2) == 1
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("a", "abcdef", 2) == 3
