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
* Cyrillic and Greek written as a transliteration of a name ("Барак Обама", "Μπαράκ Ομπάμα") read
  as Latin letters by sound, not only by look.

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
_GREEK_PAIRS = {"μπ": "b", "ντ": "d", "γκ": "g", "γγ": "ng", "ου": "u", "αι": "e", "ει": "i", "οι": "i"}
_CYRILLIC_PAIRS = {"дж": "j", "кс": "x"}
_SOUNDS = dict(zip(
    "αβγδεζηθικλμνξοπρσςτυφχψω",
    ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "s", "t", "y",
     "f", "ch", "ps", "o"], strict=True)) | dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "i", "ye", "g"], strict=True))
_PAIRS = _GREEK_PAIRS | _CYRILLIC_PAIRS
_SOUND_PATTERN = re.compile("|".join([*_PAIRS, *_SOUNDS]), re.IGNORECASE)
_GREEK_OR_CYRILLIC = re.compile("[\u0370-\u03ff\u1f00-\u1fff\u0400-\u04ff]")
# Turned letters, as upside-down text generators write them, and the letter each is turned back into.
_TURNED = dict(zip("ɐqɔpǝɟƃɥᴉıɾʞןɯunodbɹsʇʌʍxʎz∀ᗺƆᗡƎℲ⅁ſꓘ˥WԀᴚ⊥∩ΛMX⅄", "abcdefghiijklmnuopqrstvwxyzABCDEFGJKLMPRTUVWXY",
                   strict=True))
# A word is read turned back only when it holds a letter that is turned, not merely mirrored (q, d, u, n).
_TURNED_WORD = r"\S*[ɐɔǝɟƃɥᴉıɾʞןɯɹʇʌʍʎ∀ᗺƆᗡƎℲ⅁ꓘ˥Ԁᴚ⊥∩⅄]\S*"
_TURNED_RUN = re.compile(rf"{_TURNED_WORD}(?:\s+{_TURNED_WORD})*")  # turned words read back in the other order too


def decoded(text: str) -> str:
    """``text`` with every trick above undone: the reading screened besides the text itself."""
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
    if _GREEK_OR_CYRILLIC.search(text):
        text = transliterated(text)
    return text


def _unmarked(text: str) -> str:
    """Markup dropped and entities decoded (twice, for "&amp;#97;"): what a browser shows."""
    text = _MARKUP.sub("", text)
    for _ in range(2):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return _MARKUP.sub("", text)


def transliterated(text: str) -> str:
    """Greek and Cyrillic letters as the Latin letters they sound as, accents on them dropped."""
    out, base_foreign = [], False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if not base_foreign:
                out.append(char)
            continue
        base_foreign = _GREEK_OR_CYRILLIC.match(char) is not None
        out.append(char)
    return _SOUND_PATTERN.sub(_sound, unicodedata.normalize("NFC", "".join(out)))


def _sound(match: re.Match) -> str:
    found = match.group()
    latin = _PAIRS.get(found.lower()) or _SOUNDS.get(found.lower(), "")
    return latin[:1].upper() + latin[1:] if found[:1].isupper() else latin
