"""The interface writes every number, share and date through the language's formats: the
scanner finds display formats written in code (Streamlit's own number formats, f-string
number specs, tables that bypass dashboard.tables), and the app has none but the allowed."""

from __future__ import annotations

from pathlib import Path

from tests.i18n_scan import format_files, scan_formats, scan_formats_source

ROOT = Path(__file__).resolve().parent.parent

# Each allowed finding with the reason it is not a number put on the screen in English.
ALLOWED = {
    # The uploaded file's own cells before its columns are mapped: shown exactly as read.
    "app_pages/data.py: st.dataframe outside dashboard.tables": "raw file preview",
}


def test_the_app_writes_no_display_format_in_code() -> None:
    findings = scan_formats(format_files(ROOT), ALLOWED)
    assert findings == [], "\n".join(findings)


def test_every_allowed_finding_still_exists() -> None:
    """An allowance whose finding is gone is stale: drop it."""
    everything = scan_formats(format_files(ROOT))
    kinds = {f.split(":", 1)[0] + ": " + f.split(": ", 1)[1] for f in everything}
    assert set(ALLOWED) <= kinds


def test_the_scanner_finds_display_formats() -> None:
    source = '''
import streamlit as st
def show(frame, x, share):
    st.dataframe(frame)
    st.table(frame)
    st.caption(f"{x:,} customers, {share:.1%} of them, {x:.2f} on average")
    config = {"n": st.column_config.NumberColumn("N", format="localized"),
              "p": st.column_config.NumberColumn("P", format="%.4f"),
              "when": st.column_config.DatetimeColumn("When", format=pick_format())}
    st.caption(f"{x} customers, colour #{x:06x}")
    con.table("events")
'''
    found = [what for _, what in scan_formats_source(source, "app_pages/x.py")]
    assert found == [
        "st.dataframe outside dashboard.tables",
        "st.table outside dashboard.tables",
        "f-string number format ','",
        "f-string number format '.1%'",
        "f-string number format '.2f'",
        "Streamlit format 'localized'",
        "Streamlit format '%.4f'",
    ]
    assert scan_formats_source("import streamlit as st\nst.dataframe(x)\n",
                               "dashboard/tables.py") == []
