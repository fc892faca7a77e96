"""The text fold under screening: UTS #39's skeleton (NFKC, invisible characters, confusables, accents) and more."""

from __future__ import annotations

import unicodedata

import pytest

from greenlight.policy.textfold import collapse, is_invisible, skeleton, words


def keys(text: str) -> list[str]:
    return [w.key for w in words(text)]


def test_the_shipped_confusables_table_maps_other_scripts_to_latin():
    from greenlight.policy.confusables_data import CONFUSABLES

    assert len(CONFUSABLES) > 1000
    assert all(len(k) == 1 and not k.isascii() for k in CONFUSABLES)
    assert CONFUSABLES["а"] == "a" and CONFUSABLES["ο"] == "o" and CONFUSABLES["Β"] == "b"


@pytest.mark.parametrize(
    "text",
    ["Obama", "OBAMA", "Оbаmа", "Οbαmα", "Ｏｂａｍａ", "𝐎𝐛𝐚𝐦𝐚", "ᴏʙᴀᴍᴀ", "Ob\u200bama", "O\u00adbama", "0bama", "0b4m4",
     "Ob@ma", "Obarna", "O\u0332b\u0332ama", "\ufeffObama\u200e"],
)
def test_tricks_fold_to_the_plain_word(text):
    assert keys(text) == ["obama"], text


def test_invisible_characters_are_every_format_character():
    formats = [chr(c) for c in range(0x80, 0xE0080) if unicodedata.category(chr(c)) == "Cf"]
    assert len(formats) > 150 and all(is_invisible(c) for c in formats)
    assert not any(is_invisible(c) for c in "aé Ж中 -.")


def test_a_word_remembers_whether_a_trick_was_undone():
    plain, accented, digit = words("obema obéma 0bema")
    assert (plain.marked, accented.marked, digit.marked) == (False, True, True)
    assert plain.key == accented.key == digit.key


def test_digits_stay_digits_in_numbers_and_symbols_can_separate():
    assert keys("take 2027 at 35") == ["take", "2027", "at", "35"]
    assert [w.key for w in words("obama@example.org", symbols_as_letters=False)] == ["obama", "example", "org"]


def test_camel_case_and_possessives_split_as_a_reader_would():
    assert keys("BarackObama's DarthVaderHelmet") == ["barack", "obama", "darth", "vader", "helmet"]
    assert skeleton("Zoë")[0] == "zoe"


def test_collapse_merges_doubled_letters():
    assert collapse("obammma") == collapse("obama") == "obama"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a " + "".join(chr(0xE0000 + ord(c)) for c in "Obama"), "a Obama"),  # TAG characters read as ASCII
        ("\u202eamabo kcarab\u202c at a podium", "barack obama at a podium"),  # displayed order
        ("Ba<i></i>rack Ob&#97;ma &amp;amp; co", "Barack Obama & co"),
        ("Joe Bi|)en, ()bama, |)arth \\/ader", "Joe Biden, obama, darth vader"),
        ("Μπαράκ Ομπάμα, Барак Обама", "Barak Obama, Barak Obama"),
        ("a plain brief (with brackets) & more", "a plain brief (with brackets) & more"),
    ],
)
def test_decoded_reads_the_text_as_displayed(text, shown):
    from greenlight.policy.textviews import decoded

    assert decoded(text) == shown


def test_enclosed_letters_read_as_letters():
    assert keys("🅾🅱🅰🅼🅰 🄾🄱🄰🄼🄰 🅞🅑🅐🅜🅐 🇴🇧🇦🇲🇦 ⒪⒝⒜⒨⒜") == ["obama"] * 5


def test_words_know_their_capitals_breaks_and_quotes():
    found = words('She drops the rose. Leslie, her "It" and Mr. Smith')
    by_word = {w.plain: (w.capital, w.after_break, w.sentence_start, w.quoted) for w in found}
    assert by_word["she"] == (True, False, True, False)
    assert by_word["leslie"] == (True, True, True, False)
    assert by_word["her"] == (False, True, False, False)
    assert by_word["it"] == (True, False, False, True)
    assert by_word["smith"] == (True, False, False, False)  # a title's full stop ends no sentence


@pytest.mark.parametrize(
    "text, reading",
    [("Οβάμα", "Obama"), ("Βαρακ Οβαμα", "Barak Obama"), ("Байден", "Biden"), ("Μπάιντεν", "Biden"),
     ("Τζο Μπάιντεν", "Jo Biden"), ("Гарри Поттер", "Harri Potter"), ("Гермиона Грейнджер", "Hermiona Granjer"),
     ("Дарт Вейдер", "Dart Vader"), ("Χέρμιονι Γκρέιντζερ", "Hermioni Granjer")],
)
def test_greek_and_cyrillic_are_read_by_sound_letter_for_letter_and_as_english_names(text, reading):
    from greenlight.policy.textviews import readings

    assert reading in [r for r, transliterated in readings(text) if transliterated]


def test_an_accent_keeps_two_greek_vowels_two_sounds():
    from greenlight.policy.textviews import transliterated

    assert transliterated("Μπάιντεν") == "Baiden" and transliterated("Μπαίνει") == "Beni"
