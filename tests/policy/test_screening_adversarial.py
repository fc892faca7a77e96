"""Prompt screening under attack: every trick family must be caught, and ordinary text must pass.

The corpus is generated (``adversarial_names``, ``ordinary_text``); each case is one test, so a run
reports per family how many were caught.
"""

from __future__ import annotations

import pytest
from tests.policy.adversarial_names import EVERYONE, OBAMA_CJK, cases, tags
from tests.policy.ordinary_text import BRIEFS, prose, word_salad

from greenlight.domain import Use, Verdict, utcnow
from greenlight.policy import ConsentContext, screen_text, text_decision

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
