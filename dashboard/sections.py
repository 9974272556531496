"""Page sections that fail alone: a section that raises shows one sentence, the page goes on.

Used as ``with section("timeline"): ...``; the code names the section in the catalogue
(``app.section.<code>``). A :class:`journeylib.DataError` carries a sentence for the user, which
is shown as the reason; any other exception is logged with its traceback for the operator and
shown only as "an unexpected error". Streamlit's own control flow (``st.stop``, ``st.rerun``)
passes through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

import journeylib as jl
from journeylib.i18n import t
from journeylib.text import escape_markdown

log = logging.getLogger(__name__)


@contextmanager
def section(name_code: str) -> Iterator[None]:
    """Run the body of a page section; on an exception show in its place what could not be
    shown and why, in the interface language, and let the rest of the page run."""
    try:
        yield
    except jl.DataError as exc:
        # words(): the reason in the language shown now, even for an error raised (and cached)
        # while another language was current; escaped, since it may quote the user's names.
        st.error(t("app.section_failed", section=t(f"app.section.{name_code}"),
                   reason=escape_markdown(exc.words())))
    except Exception:
        log.log(logging.ERROR, "page section %r failed", name_code, exc_info=True)
        st.error(t("app.section_failed", section=t(f"app.section.{name_code}"),
                   reason=t("app.section_unexpected")))
