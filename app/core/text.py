"""Composing text from names without doubling words: "Kelas" + "Kelas Bali" stays "Kelas Bali",
"Bimbingan Teknis {programme}" with "Bimtek SPP-TIK" reads "Bimbingan Teknis SPP-TIK", and a
sentence that ends in a title ("…, S.IP.") gets no second full stop."""

from __future__ import annotations

import re

# A phrase and the ways a name may already start with it (long form first).
SAME_WORDS = {
    "bimbingan teknis": ("bimbingan teknis", "bimtek"),
    "bimtek": ("bimbingan teknis", "bimtek"),
}


def _strip_leading(phrase: str, name: str) -> str:
    """The name without a leading repeat of `phrase` (or its synonym), if what remains is not empty."""
    key = phrase.strip().lower()
    for variant in SAME_WORDS.get(key, (key,)):
        if name.lower().startswith(variant + " ") and name[len(variant) :].strip():
            return name[len(variant) :].strip()
    return name


def with_word(word: str, name: str) -> str:
    """'Kelas' + 'Bali – NTB' → 'Kelas Bali – NTB'; 'Kelas' + 'Kelas Bali' → 'Kelas Bali'."""
    name = name.strip()
    if name.lower() == word.lower() or name.lower().startswith(word.lower() + " "):
        return name
    return f"{word} {_strip_leading(word, name)}"


def fill_programme(text: str, programme: str) -> str:
    """Put the programme's name in place of {programme}, dropping words the text already says just
    before it ("Bimbingan Teknis {programme}" + "Bimtek SPP-TIK" → "Bimbingan Teknis SPP-TIK")."""
    before, marker, after = text.partition("{programme}")
    if not marker:
        return text
    words = before.rstrip().lower()
    name = programme
    for phrase in SAME_WORDS:
        if words.endswith(phrase):
            name = _strip_leading(phrase, programme)
            break
    return before + name + fill_programme(after, programme)


_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?=\s|$)")


def sentence(text: str) -> str:
    """One full stop where a name ending in an abbreviation ("S.IP.") ends a sentence ("S.IP.." → "S.IP.");
    an ellipsis ("...") is left alone."""
    return _DOUBLE_STOP.sub(".", text)


# A run of 10 or more digits, perhaps grouped by spaces, dots or dashes: a NIK (16), a NIP (18) or
# a phone number typed into free text.
_LONG_NUMBER = re.compile(r"(?<![\d])\+?(?:\d[ .-]?){9,}\d(?![\d])")


def mask_long_numbers(text: str) -> str:
    """Free text with every NIK-, NIP- or phone-like number masked: 'NIK saya 5271015203900001' →
    'NIK saya 5271••••••••0001'. For what people type where no such number belongs."""

    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return digits[:4] + "•" * (len(digits) - 8) + digits[-4:]

    return _LONG_NUMBER.sub(mask, text)
