"""Vietnamese text folding for search: diacritics and case ignored, đ/Đ included."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """ "Nem Lai Vung" and "nem lai vung" fold alike; "Đồng Tháp" folds to "dong thap".

    NFD splits a letter from its marks, which are then dropped; đ has no decomposition,
    so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D").replace("Ð", "D")
    return _SPACES.sub(" ", stripped).strip().lower()


def search_terms(query: str) -> list[str]:
    """The folded words of a search box entry; every word must match."""
    return [word for word in fold(query).split(" ") if word]
