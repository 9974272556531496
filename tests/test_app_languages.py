"""The interface speaks the chosen language on every page, and the choice travels in the link."""

from __future__ import annotations

import re
import string

import pytest
from streamlit.testing.v1 import AppTest

from journeylib import i18n
from tests.apptest import PAGES, open_page

SLOW = 120  # seconds: a page in another language under a loaded machine


def _strings(message) -> list[str]:
    """Every text field of a protobuf message, recursively (labels, help, options, specs)."""
    out = []
    for _, value in message.ListFields():
        items = value if isinstance(value, list | tuple) or hasattr(value, "extend") else [value]
        for item in items:
            if isinstance(item, str):
                out.append(item)
            elif hasattr(item, "ListFields"):
                out.extend(_strings(item))
    return out


def _page_text(at: AppTest) -> str:
    texts = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            texts.extend(_strings(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(texts)


def _english_fragments(lang: str) -> list[str]:
    """Literal pieces of the English catalogue (two words or more) that the other language
    translates differently: if one shows on a page, a text was not translated."""
    other = "\n".join(
        "\n".join(e.values()) if isinstance(e, dict) else e for e in i18n.catalogue(lang).values()
    )
    fragments = set()
    for entry in i18n.catalogue("en").values():
        for text in entry.values() if isinstance(entry, dict) else [entry]:
            for literal, *_ in string.Formatter().parse(text):
                for piece in re.split(r"[*_`()\[\]:;.!?\n]", literal or ""):
                    piece = piece.strip(" ,-–—'\"")
                    if len(piece) >= 12 and " " in piece and piece not in other:
                        fragments.add(piece)
    return sorted(fragments)


def test_language_comes_from_the_link_and_goes_back_into_it():
    at = open_page("funnel", lang="ru", timeout=SLOW)
    assert at.session_state["lang"] == "ru"
    assert at.query_params["lang"] == "ru"
    assert any(i18n.t("app.language", "ru") in s.label for s in at.sidebar.selectbox)
    at.session_state["lang"] = "pl"
    at.run()
    assert not at.exception
    assert at.query_params["lang"] == "pl"


def test_english_is_the_default_and_unknown_codes_fall_back_to_it():
    assert open_page("data", timeout=SLOW).session_state["lang"] == "en"
    assert open_page("data", lang="xx", timeout=SLOW).session_state["lang"] == "en"


@pytest.mark.parametrize("lang", ["ru", "pl"])
@pytest.mark.parametrize("page", PAGES)
def test_no_english_interface_text_on_a_translated_page(page: str, lang: str):
    at = open_page(page, lang=lang, timeout=SLOW)
    text = _page_text(at)
    leftovers = [f for f in _english_fragments(lang) if f in text]
    assert leftovers == [], f"English text on the {lang} {page} page: {leftovers[:10]}"
