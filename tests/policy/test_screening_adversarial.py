"""Prompt screening under attack: every trick family must be caught, and ordinary text must pass.

The corpus is generated (``adversarial_names``, ``ordinary_text``); each case is one test, so a run
reports per family how many were caught.
"""

from __future__ import annotations

import pytest
from tests.policy.adversarial_names import EVERYONE, OBAMA_CJK, cases, tags
from tests.policy.ordinary_text import BRIEFS, prose, word_salad

from greenlight.domain import Use, Verdict, utcnow
from greenlight.policy import ConsentContext, NamedSubject, screen_text, text_decision

CASES = cases()
CONTEXT = ConsentContext("prod_nightfall", Use.DIGITAL_ALTERATION, utcnow())


def _words() -> list[str]:
    from greenlight.policy.english_words import WORDS

    return sorted({w for line in WORDS for w in line.split()})


@pytest.mark.parametrize(
    "family, text, subject", CASES, ids=[f"{family}-{i}" for i, (family, _, _) in enumerate(CASES)]
)
def test_trick_is_caught(family, text, subject):
    assert subject in {h.subject.subject_id for h in screen_text(text, EVERYONE)}, (family, text)


@pytest.mark.parametrize("text", BRIEFS + prose() + word_salad(_words()))
def test_ordinary_text_passes(text):
    assert [h.matched for h in screen_text(text, EVERYONE)] == []


@pytest.mark.parametrize(
    "text",
    ["a portrait of B4r4ck 0b4m4", "Barack\u200bObama at a podium", "Βarack Οbama", "B a r a c k O b a m a",
     "BarackObama", "President Оbаmа", "Barack H. Obama", "Барак Обама", "Μπαράκ Ομπάμα", "Barack<br>Obama",
     "\u202eamabo kcarab", "Barack Ob&#97;ma", "🅱🅰🆁🅰🅲🅺 🅾🅱🅰🅼🅰", "a senator " + tags("Barack Obama")],
)
def test_a_folded_full_name_blocks_as_the_name_itself(text):
    decision = text_decision(text, CONTEXT, EVERYONE, {}, [])
    assert decision.verdict is Verdict.BLOCK and "protected.person" in [r.code for r in decision.reasons]


@pytest.mark.parametrize("text", ["0bama at the lectern", "Obamma giving a speech", "Obéma", "O.b.a.m.a", "Obmaa",
                                  "()bama", "an obamaesque senator", "a bidenlike smile"])
def test_a_folded_or_loose_surname_escalates(text):
    decision = text_decision(text, CONTEXT, EVERYONE, {}, [])
    assert decision.verdict is Verdict.ESCALATE and [r.code for r in decision.reasons] == ["name.possible"]


@pytest.mark.parametrize("text", ["The Empire Strikes Back", "starwars", "D4rth V4d3r", "Star Wars"])
def test_a_work_named_any_way_escalates(text):
    decision = text_decision(text, CONTEXT, EVERYONE, {}, [])
    assert decision.verdict is Verdict.ESCALATE and [r.code for r in decision.reasons] == ["protected.work"]


def test_a_name_buried_in_a_very_long_word_is_found():
    text = "x" * 20_000 + "barackobama" + "y" * 20_000 + " and " + "z" * 5_000
    assert [h.subject.subject_id for h in screen_text(text, EVERYONE)] == ["pp_obama"]


def test_a_name_split_by_a_sentence_is_not_the_name():
    # "Leslie" alone is still the talent's surname, so it stays a possible hit a person confirms
    hits = screen_text("She drops the rose. Leslie, her sister, picks it up.", EVERYONE)
    assert [(h.subject.subject_id, h.possible) for h in hits] == [("tal_rose", True)]


@pytest.mark.parametrize("text", ["奥巴马在讲台上讲话", "バラク・オバマの肖像", "a poster of 奥巴马"])
def test_a_name_in_another_script_is_caught_through_its_alias(text):
    assert [h.subject.subject_id for h in screen_text(text, [OBAMA_CJK])] == ["pp_obama_cjk"]


@pytest.mark.parametrize("text", ["Will Smith on the red carpet", "The Rock flexing", 'a poster for "It"'])
def test_a_name_of_ordinary_words_written_as_a_name_is_caught(text):
    assert screen_text(text, EVERYONE)


@pytest.mark.parametrize("text", ["a darth of ideas", "Darth, vader and a stone: three words on a card",
                                  "the vader-like breathing of the old pump"])
def test_a_characters_distinctive_word_alone_escalates_even_where_a_word_was_meant(text):
    # "darth" and "vader" are no English words: each names the work alone, as "Obama" names a person.
    # A misspelt "dearth" costs a reviewer a look; passing "darth" would pass "a darth helmet".
    decision = text_decision(text, CONTEXT, EVERYONE, {}, [])
    assert decision.verdict is Verdict.ESCALATE and [r.code for r in decision.reasons] == ["protected.work"]


@pytest.mark.parametrize("text", ["Βαρακ Οβαμα at a podium", "Джо Байден at the airport", "Τζο Μπάιντεν"])
def test_a_full_name_spelt_in_greek_or_russian_blocks_as_the_name_itself(text):
    decision = text_decision(text, CONTEXT, EVERYONE, {}, [])
    assert decision.verdict is Verdict.BLOCK and "protected.person" in [r.code for r in decision.reasons]


def test_no_ordinary_word_read_backwards_is_a_name():
    # every word of the shipped list, fifty to a line, in small and in capital letters: text is also read
    # backwards ("amabO kcaraB"), and no ordinary word, or run of them, may read as a name that way
    found = []
    listed = _words()
    for start in range(0, len(listed), 50):
        line = " ".join(listed[start : start + 50])
        found += [(h.subject.subject_id, h.matched) for text in (line, line.upper())
                  for h in screen_text(text, EVERYONE)]
    assert found == []


@pytest.mark.parametrize("text", ["a helmet like Dark Vador's", "Dark Vador sur la passerelle", "Vador, casque noir",
                                  "rodaV kraD"])
def test_a_foreign_name_of_a_character_is_caught_through_the_works_names(text):
    # a character's name in another language ("Dark Vador" in French) is a name the studio lists for the
    # work, as the registry lists every character: screening reads no table of translations of its own
    empire = NamedSubject("protected-work", "pw_empire", "Star Wars", ("Star Wars", "Darth Vader", "Dark Vador"))
    assert [h.subject.subject_id for h in screen_text(text, [empire])] == ["pw_empire"]


@pytest.mark.parametrize("text", ["a dark vapor over the lake", "the dark valor of the knights",
                                  "a dark vendor's stall", "dark, a dove or two"])
def test_a_foreign_name_of_a_character_leaves_its_ordinary_near_misses_alone(text):
    empire = NamedSubject("protected-work", "pw_empire", "Star Wars", ("Star Wars", "Darth Vader", "Dark Vador"))
    assert screen_text(text, [empire]) == []


def test_a_nickname_is_caught_through_an_alias():
    # nicknames are not guessed ("Barry" is many people): the surname alone is a possible hit, and the
    # studio adds the nickname as an alias (`protect person --alias`) to make it the name itself
    obama = NamedSubject("protected-person", "pp_obama", "Barack Obama", ("Barack Obama", "Barry Obama"))
    assert [(h.subject.subject_id, h.possible) for h in screen_text("Barry Obama at a podium", [obama])] == [
        ("pp_obama", False)]
    assert screen_text("Barry Allen runs", [obama]) == []
