"""Other readings of a text, for what its characters hide: each is screened as well as the text itself.

The fold (``textfold``) reads one character at a time. Some tricks span characters or change their
order, so the text is also read once more with all of these undone:

* Unicode TAG characters (U+E0020–U+E007E) read as the ASCII letters they shadow: invisible to a
  reader, read as text by some models ("ASCII smuggling"); the plain reading drops them.
* A right-to-left override, embedding or isolate (RLO, RLE, RLI … PDF, PDI) shows its run reversed:
  "\u202eamabo kcarab" is displayed "barack obama", so the run is reversed as displayed.
* HTML: markup inside words is dropped ("Ba<i></i>rack") and entities decoded ("Ob&#97;ma").
* Leet written with several characters for one letter: ``|)`` is d, ``()`` o, ``/\\`` a, ``|<`` k, and
  ``13`` is B where a letter follows it ("13iden"; "take 13" and "13 idents" are numbers).
* Upside-down text: a word written with turned letters ("ɐɯɐqO") read turned back, right way round.
* Cyrillic and Greek read as Latin letters three ways, not only by look (``TRANSLITERATIONS``), each
  its own reading: by *sound*, as Greek and Russian are romanised (BGN/PCGN: "Барак Обама",
  "Μπαράκ Ομπάμα"); *letter* for letter, as the classical and ISO 9 tables write them (β is b, μ is m,
  х is h: "Οβαμα"); and as Greek and Russian spell an *English* name ("Байден" and "Μπάιντεν" are
  Biden: ай and άι the i of "Biden", ей and έι the a of "Vader", г before a vowel and χ an H).
* Russian case endings undone (``uninflected``): "Байдена", "Обамой" and "Гарри Поттера" are Biden,
  Obama and Harry Potter declined, read as English spells them. (Greek leaves a foreign name as it is.)

Scripts with no Latin reading (奥巴马, バラク・オバマ) are caught through an alias in that script.
"""

from __future__ import annotations

import html
import re
import unicodedata

_TAGS = re.compile("[\U000e0020-\U000e007e]")
_BIDI_RUN = re.compile("([\u202e\u202b\u2067])([^\u202c\u2069\n]*)[\u202c\u2069]?")
_MARKUP = re.compile(r"<[^<>]{0,200}>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});?", re.IGNORECASE)
# Longest first, so "|\/|" is m before "\/" is v.
_MULTI_LEET = [
    ("|\\/|", "m"), ("/\\/\\", "m"), ("\\/\\/", "w"), ("|\\|", "n"), ("/\\/", "n"), ("|_|", "u"), ("|-|", "h"),
    ("}{", "h"), ("|)", "d"), ("[)", "d"), ("|>", "d"), ("()", "o"), ("[]", "o"), ("|<", "k"), ("|{", "k"),
    ("/\\", "a"), ("\\/", "v"), ("|2", "r"), ("|3", "b"), ("|_", "l"), ("><", "x"), ("|°", "p"), ("|*", "p"),
]
_LEET_PATTERN = re.compile("|".join(re.escape(k) for k, _ in _MULTI_LEET))
_LEET_MAP = dict(_MULTI_LEET)
_THIRTEEN_AS_B = re.compile(r"(?<![0-9])13(?=[^\W\d_])")  # "13iden"; not "2013", "13 idents" or "13"
_GREEK_OR_CYRILLIC = re.compile("[\u0370-\u03ff\u1f00-\u1fff\u0400-\u04ff]")

# Case endings of Russian nouns (masculine and feminine "-а" declensions, singular and plural), longest
# first: dropped for a stem ending in a consonant, replaced by "а" for one ending in "а"; four letters stay.
_CASE_ENDINGS = (
    (re.compile(r"(?<=[а-яё]{4})(?:ами|ями|ах|ях|ам|ям|ов|ев|ом|ем|а|я|у|ю|е|ы)\b", re.IGNORECASE), ""),
    (re.compile(r"(?<=[а-яё]{4})(?:ой|ою|ы|е|у)\b", re.IGNORECASE), "а"),
)

_GREEK = "αβγδεζηθικλμνξοπρσςτυφχψω"
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ"


def _letters(script: str, latin: str) -> dict[str, str]:
    return dict(zip(script, latin.split(), strict=True))


# Greek by sound (ELOT 743 / BGN-PCGN) and Russian by BGN-PCGN; "-" is a letter written as nothing.
_GREEK_SOUND = _letters(_GREEK, "a v g d e z i th i k l m n x o p r s s t y f ch ps o")
_CYRILLIC_SOUND = _letters(
    _CYRILLIC, "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i i ye g")
_GREEK_DIGRAPHS = {"μπ": "b", "ντ": "d", "ντζ": "ndz", "γκ": "g", "γγ": "ng", "τζ": "dz", "ου": "u", "αι": "e",
                   "ει": "i", "οι": "i"}
_APART = "\x00"  # put between two Greek vowels an accent keeps apart, so no digraph joins them
_VOWELS_APART = re.compile("(?<=[άέόΆΈΌ])(?=[ιυΙΥ])|(?<=[αεοΑΕΟ])(?=[ϊϋΐΰΪΫ])")
_BREVE = "\u0306"
# How Greek and Russian spell English names: ай/άι for the i of "Biden", ей/έι for the a of "Vader",
# г before a vowel and χ for H ("Гарри", "Χάρι"), дж/τζ for j.
_ENGLISH_PAIRS = {
    "μπ": "b", "ντ": "d", "ντζ": "nj", "γκ": "g", "γγ": "ng", "τζ": "j", "τσ": "ts",
    "ου": "u", "αι": "e", "ει": "i", "οι": "i",
    f"α{_APART}ι": "i", f"ε{_APART}ι": "a", "ай": "i", "ей": "a", "эй": "a", "дж": "j", "кс": "x",
    "га": "ha", "ге": "he", "ги": "hi", "го": "ho", "гу": "hu", "гэ": "he",
}
TRANSLITERATIONS = {
    "sound": _GREEK_SOUND | _CYRILLIC_SOUND | _GREEK_DIGRAPHS | {"дж": "j", "кс": "x"},
    "letter": _letters(_GREEK, "a b g d e z e th i k l m n x o p r s s t u ph ch ps o")
    | _CYRILLIC_SOUND | {"й": "j", "х": "h", "ц": "c"},
    "english": _GREEK_SOUND | _CYRILLIC_SOUND | {"η": "i", "υ": "i", "χ": "h", "й": "y", "х": "h"} | _ENGLISH_PAIRS,
}
"""Each way of reading Greek and Cyrillic as Latin letters: letters and letter pairs, as they are written."""
_TABLES = {
    how: ({k: ("" if v == "-" else v) for k, v in table.items()},
          re.compile("|".join(sorted(map(re.escape, table), key=len, reverse=True)), re.IGNORECASE))
    for how, table in TRANSLITERATIONS.items()
}
# Turned letters, as upside-down text generators write them, and the letter each is turned back into.
_TURNED = dict(zip("ɐqɔpǝɟƃɥᴉıɾʞןɯunodbɹsʇʌʍxʎz∀ᗺƆᗡƎℲ⅁ſꓘ˥WԀᴚ⊥∩ΛMX⅄", "abcdefghiijklmnuopqrstvwxyzABCDEFGJKLMPRTUVWXY",
                   strict=True))
# A word is read turned back only when it holds a letter that is turned, not merely mirrored (q, d, u, n).
_TURNED_WORD = r"\S*[ɐɔǝɟƃɥᴉıɾʞןɯɹʇʌʍʎ∀ᗺƆᗡƎℲ⅁ꓘ˥Ԁᴚ⊥∩⅄]\S*"
_TURNED_RUN = re.compile(rf"{_TURNED_WORD}(?:\s+{_TURNED_WORD})*")  # turned words read back in the other order too


def decoded(text: str, transliterate: bool = True) -> str:
    """``text`` with every trick above undone, Greek and Cyrillic read by sound unless ``transliterate`` is False."""
    if "<" in text or "&" in text:
        text = _unmarked(text)
    if _TAGS.search(text):
        text = _TAGS.sub(lambda m: chr(ord(m.group()) - 0xE0000), text)
    if _BIDI_RUN.search(text):
        text = _BIDI_RUN.sub(lambda m: m.group(2)[::-1], text)
    if _LEET_PATTERN.search(text):
        text = _LEET_PATTERN.sub(lambda m: _LEET_MAP[m.group()], text)
    if _THIRTEEN_AS_B.search(text):
        text = _THIRTEEN_AS_B.sub("b", text)
    if _TURNED_RUN.search(text):
        text = _TURNED_RUN.sub(lambda m: "".join(_TURNED.get(c, c) for c in reversed(m.group())), text)
    if transliterate and _GREEK_OR_CYRILLIC.search(text):
        text = transliterated(text)
    return text


def readings(text: str) -> list[tuple[str, bool]]:
    """Every other reading of ``text`` worth screening, each with whether it is a transliteration.

    One reading with every trick undone; where Greek or Cyrillic is left, one for each of
    ``TRANSLITERATIONS``. Readings equal to the text or to another reading are left out.
    """
    undone = decoded(text, transliterate=False)
    if not _GREEK_OR_CYRILLIC.search(undone):
        return [] if undone == text else [(undone, False)]
    found = dict.fromkeys(transliterated(undone, how) for how in TRANSLITERATIONS)
    for stem in uninflected(undone):
        found.setdefault(transliterated(stem, "english"))
    return [(reading, True) for reading in found if reading != text]


def uninflected(text: str) -> list[str]:
    """``text`` with the Russian case endings of its Cyrillic words undone, two ways, where it has any.

    Russian declines a foreign name like its own nouns: Байден is Байдена, Байдену, Байденом, Байдене,
    and Обама Обамы, Обаме, Обаму, Обамой. One reading drops the ending (a name ending in a consonant),
    the other puts back the "а" a feminine-looking name ends in. A stem keeps four letters at least:
    shorter ones are too near too many short names ("Лима" is not "LMM").
    """
    found = []
    for pattern, replacement in _CASE_ENDINGS:
        reading = pattern.sub(replacement, text)
        if reading != text:
            found.append(reading)
    return found


def _unmarked(text: str) -> str:
    """Markup dropped and entities decoded (twice, for "&amp;#97;"): what a browser shows."""
    text = _MARKUP.sub("", text)
    for _ in range(2):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return _MARKUP.sub("", text)


def transliterated(text: str, how: str = "sound") -> str:
    """Greek and Cyrillic letters as Latin letters, read as ``how`` says (one of ``TRANSLITERATIONS``).

    Accents are dropped, but an accent on the first of two Greek vowels, or a diaeresis on the second,
    keeps them two sounds ("Μπάιντεν" is Ba-iden, "αι" alone one sound, e).
    """
    text = _VOWELS_APART.sub(_APART, unicodedata.normalize("NFC", text))
    out, base_foreign = [], False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if not base_foreign or char == _BREVE:  # й stays й: "ай" is a sound of its own
                out.append(char)
            continue
        base_foreign = _GREEK_OR_CYRILLIC.match(char) is not None
        out.append(char)
    table, pattern = _TABLES[how]
    latin = pattern.sub(lambda m: _as_cased(m.group(), table), unicodedata.normalize("NFC", "".join(out)))
    return latin.replace(_APART, "")


def _as_cased(found: str, table: dict[str, str]) -> str:
    latin = table.get(found.lower(), "")
    return latin[:1].upper() + latin[1:] if found[:1].isupper() else latin
