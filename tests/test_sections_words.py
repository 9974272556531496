"""A failed page section words a coded error in the language shown now, escaped."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import journeylib as jl
    from dashboard.sections import section
    from journeylib.i18n import set_language

    error = None
    set_language("en")
    error = jl.DataError("x", code="errors.too_many_rows",
                         params={"name": "*bold*_file.csv", "rows": 9000000, "limit": 3000000})
    set_language("pl")
    with section("timeline"):
        raise error


def test_the_reason_is_worded_in_the_current_language_and_escaped():
    at = AppTest.from_function(_page)
    at.run()
    assert not at.exception
    text = at.error[0].value
    from journeylib.i18n import t

    assert t("app.section.timeline", "pl") in text
    assert "\\*bold\\*" in text
    english = t("errors.too_many_rows", "en", name="n", rows=1, limit=1).split()[0]
    assert not text.startswith(english)
