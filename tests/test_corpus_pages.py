"""Every page opens on every shape of the real-export corpus, in English, Russian and Polish.

Each test uploads one shape of :mod:`tests.corpus` (as the CSV an export tool writes) and opens
one page in one language, then checks: no exception, no error element, and the sidebar counts
the uploaded file's rows (not the sample's).

Coverage, to keep the run bounded: the full cross product (7 pages × 15 shapes × 3 languages,
315 openings) took 205 s on 2 shared cores while a third of the pages still stopped early on
known bugs, so it would pass 4 minutes once they render fully. By default every shape is opened
in English on every page, and once more on every page in Russian or Polish, the language
rotating with the shape's and the page's position, so that every page × language pair is met
on 7 or 8 shapes (210 openings, 120 s). Set ``CORPUS_ALL_LANGUAGES=1`` to run the full cross
product instead.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.apptest import PAGES, open_with_file
from tests.corpus import SHAPES, csv_bytes

LANGUAGES = ("en", "ru", "pl")
OTHER_LANGUAGES = LANGUAGES[1:]


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for i, shape in enumerate(SHAPES):
        for j, page in enumerate(PAGES):
            if os.environ.get("CORPUS_ALL_LANGUAGES"):
                cases += [(shape, page, lang) for lang in LANGUAGES]
            else:
                cases += [(shape, page, "en"),
                          (shape, page, OTHER_LANGUAGES[(i + j) % len(OTHER_LANGUAGES)])]
    return cases


@pytest.fixture(scope="module")
def files() -> dict[str, tuple[bytes, int]]:
    """Each shape's CSV bytes and row count, built once for the module."""
    out = {}
    for name, make in SHAPES.items():
        frame = make()
        out[name] = (csv_bytes(frame), len(frame))
    return out


def _rows_shown(at) -> str:
    metrics = [m.value for m in at.sidebar.metric]
    return re.sub(r"\D", "", metrics[0]) if metrics else ""


@pytest.mark.parametrize(("shape", "page", "lang"), _cases())
def test_page_opens_on_shape(files, shape: str, page: str, lang: str) -> None:
    data, rows = files[shape]
    at = open_with_file(page, f"{shape}.csv", data, lang=lang)
    assert not at.exception, at.exception[0].message
    errors = [e.value for e in at.error]
    assert not errors, errors
    assert _rows_shown(at) == str(rows), "the sidebar does not count the uploaded file"


@pytest.mark.parametrize("page", PAGES)
def test_language_switch_keeps_the_upload(files, page: str) -> None:
    """Switching EN -> RU -> PL on a page with an uploaded file: no exception, no error, the
    upload stays the data source."""
    data, rows = files["unicode_names"]
    at = open_with_file(page, "unicode_names.csv", data, lang="en")
    for lang in OTHER_LANGUAGES:
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception, (lang, at.exception[0].message)
        assert not at.error, (lang, [e.value for e in at.error])
        assert at.session_state["source"] == "upload", lang
        assert _rows_shown(at) == str(rows), lang
