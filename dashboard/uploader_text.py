"""The file uploader's own words ("Upload", "200MB per file") in the interface language.

Streamlit draws those words in the browser, in English, with no option to change them. For
Russian and Polish they are replaced by CSS: the English text is shrunk to nothing and the
language's text drawn in its place (``::after``). The size limit comes from Streamlit's own
``server.maxUploadSize``, so the words always name the limit that is enforced.
"""

from __future__ import annotations

from journeylib.i18n import formats, t

_BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
_LIMIT = '[data-testid="stFileUploaderDropzoneInstructions"] span'


def _css_text(text: str) -> str:
    """``text`` as a CSS string literal: letters and digits as they are, every other
    character as a six-digit CSS escape, so no translation can end the string or the rule."""
    return '"' + "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}"
                         for c in text) + '"'


def style(lang: str, max_mb: int) -> str:
    """The ``<style>`` block that rewords every uploader in ``lang`` ("" for English, which
    Streamlit already speaks)."""
    if lang == "en":
        return ""
    button = t("uploader.button", lang)
    limit = t("uploader.limit", lang, size=formats.number(max_mb, 0, lang))
    return (
        "<style>"
        f"{_BUTTON}{{font-size:0 !important}}"
        f"{_BUTTON}::after{{content:{_css_text(button)};font-size:0.875rem}}"
        f"{_LIMIT}{{font-size:0 !important}}"
        f"{_LIMIT}::after{{content:{_css_text(limit)};font-size:0.875rem}}"
        "</style>"
    )


def apply(lang: str) -> None:
    """Reword the uploaders of this run (a style element that takes no room on the page)."""
    import streamlit as st

    css = style(lang, int(st.get_option("server.maxUploadSize")))
    if css:
        st.html(css)
