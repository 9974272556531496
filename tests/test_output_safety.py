"""Hostile names in everything we write or show (issue 19): no exported cell is a live formula,
no name shown through Markdown is anything but its own text, and a one-click download that
cannot be made says so in the app."""

from __future__ import annotations

import ast
import csv
import html
import io
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import journeylib as jl
from journeylib import touchpoints as tp
from journeylib.report import excel_report
from journeylib.text import (
    csv_bytes,
    escape_markdown,
    is_formula_text,
    neutralise_formula,
    neutralise_workbook,
    safe_frame,
    workbook_bytes,
)
from tests.apptest import APP

ROOT = Path(__file__).resolve().parent.parent
FORMULA_SIGNS = ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"]
# Text as it comes in files: any printable character, the formula signs at the start, and
# the characters openpyxl cannot store (the report drops those).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
LEADING = st.sampled_from(["", " ", *FORMULA_SIGNS])
CELL = st.builds(lambda lead, body: lead + body, LEADING, TEXT)

STAGES = ["![](https://tracker.example/x.png) Awareness", "**Consideration**",
          "[Purchase](javascript:alert(1))", ":red[Loyalty] $x$"]
TOUCHPOINTS = ['=HYPERLINK("https://evil.example","Log in")',
               "`chat` <img src=x onerror=alert(1)>", "~~Mail~~ www.evil.example",
               "+Call_centre_", "@Shop"]
CHANNELS = ["-email", "<b>ads</b>", "_social_", "ads@evil.example"]
SEGMENTS = ["$$E=mc^2$$", "[VIP](https://evil.example)"]
FILE_NAME = "**Q1** <i>export</i>.csv"
# Names whose escaped form never contains them (a line-start mark like "- x" is harmless in
# the middle of a sentence, so it is not looked for there).
HOSTILE = [*STAGES, *TOUCHPOINTS[:3], "Call_centre_", "<b>ads</b>", "_social_",
           "ads@evil.example", *SEGMENTS, FILE_NAME]


def _hostile_frame(customers: int = 60) -> pd.DataFrame:
    rng = random.Random(1)
    rows = []
    for c in range(customers):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=rng.randint(0, 60))
        for k in range(rng.randint(1, 4)):
            rows.append({
                "customer_id": f"c{c}", "timestamp": (start + pd.Timedelta(days=k)).isoformat(),
                "stage": STAGES[k], "touchpoint": rng.choice(TOUCHPOINTS),
                "channel": rng.choice(CHANNELS), "emotion": rng.randint(1, 5),
                "converted": int(k == 2), "revenue": 10.0 * (k == 2),
                "segment": SEGMENTS[c % 2], "note": rng.choice(["=1+1", "fine", "**great**"]),
            })
    return pd.DataFrame(rows)


# --- spreadsheet cells -----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", " =1",
                                  "\uff1dcmd", "\u00a0@x"])
def test_formula_text_is_recognised_and_quoted(text: str) -> None:
    assert is_formula_text(text)
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Log in", "1+1", "", "a=b", -5, -1.5, 0, None])
def test_other_values_are_left_alone(value: object) -> None:
    assert not is_formula_text(value)
    assert neutralise_formula(value) == value


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _csv_is_safe(data: bytes) -> list[list[str]]:
    rows = _csv_rows(data)
    for row in rows:
        for field in row:
            # A field is either a number (negative ones included) or text that cannot start a
            # formula, or the quoted form of formula text.
            if field.startswith("'"):
                continue
            assert not is_formula_text(field) or _is_number(field), field
    return rows


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _workbook_is_safe(data: bytes) -> openpyxl.Workbook:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if is_formula_text(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    return book


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(CELL, min_size=1, max_size=6),
       numbers=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=6))
def test_no_writer_writes_a_live_formula(texts: list[str], numbers: list[float]) -> None:
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({texts[0]: texts[:n], "value": [-abs(x) for x in numbers[:n]]})

    rows = _csv_is_safe(csv_bytes(frame))
    assert [float(r[1]) for r in rows[1:]] == frame["value"].tolist()  # numbers stay numbers

    book = _workbook_is_safe(excel_report({"Sheet": frame}, title=texts[0], filters=texts[-1]))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet["B"][5:]] == pytest.approx(frame["value"].tolist())
    assert all(c.data_type == "n" for c in sheet["B"][5:])

    targets = pd.DataFrame({"touchpoint": [f"{x}{i}" for i, x in enumerate(texts[:n])],
                            "kpi": "valence", "target": numbers[:n], "owner": texts[:n]})
    data = tp.targets_to_excel(targets)
    _workbook_is_safe(data)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(CELL, min_size=1, max_size=6))
def test_the_report_keeps_every_text_as_written(texts: list[str]) -> None:
    """Quoting is a style, not a change of the text: what was written reads back the same
    (minus the control characters a workbook cannot hold; XML keeps CR as LF)."""
    frame = pd.DataFrame({"name": texts})
    sheet = openpyxl.load_workbook(io.BytesIO(excel_report({"S": frame}, title="t"))).active
    written = [c.value or "" for c in sheet["A"][5:]]
    # XML reads every CR as a line feed.
    legal = [re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", x) for x in texts]
    legal = [x.replace("\r\n", "\n").replace("\r", "\n") for x in legal]
    assert written == legal


def test_targets_round_trip_through_the_neutralised_workbook() -> None:
    targets = pd.DataFrame({"touchpoint": ["=HYPERLINK(\"x\")", "@Shop", "Chat"],
                            "kpi": "valence", "target": [0.5, -0.2, 0.1],
                            "owner": ["+48 600 000 000", "-ops", "Ann"]})
    data = tp.targets_to_excel(targets)
    _workbook_is_safe(data)
    back = tp.targets_from_excel(data)
    pd.testing.assert_frame_equal(back, tp.clean_targets(targets))


def test_csv_bytes_quotes_text_cells_and_headers_only() -> None:
    frame = pd.DataFrame({"=name": ["=1+1", "-ops", "ok", None], "valence": [-0.5, 1, 0, -1],
                          "when": pd.to_datetime(["2024-01-01"] * 4),
                          "tags": [("=a",), "x", 3, "@b"]})
    rows = _csv_is_safe(csv_bytes(frame))
    assert rows[0] == ["'=name", "valence", "when", "tags"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'-ops", "ok", ""]
    assert [r[1] for r in rows[1:]] == ["-0.5", "1.0", "0.0", "-1.0"]
    assert [r[3] for r in rows[1:]] == ["('=a',)", "x", "3", "'@b"]
    assert safe_frame(frame)["valence"].dtype == float


def test_a_line_break_or_separator_inside_a_name_cannot_start_a_formula_cell() -> None:
    """A bare CR in a field, or ";" (the separator of Polish and Russian Excel), would split
    the row and start a new cell with "=..."; every text cell is quoted instead."""
    data = csv_bytes(pd.DataFrame({"name": ["a\r=HYPERLINK(1)", "b;=cmd", "c\n@x"],
                                   "n": [1, -2, 3]}))
    assert data.split(b"\r\n")[1:4] == [b'"a\r=HYPERLINK(1)",1', b'"b;=cmd",-2', b'"c\n@x",3']
    assert [r[0] for r in _csv_rows(data)[1:]] == ["a\r=HYPERLINK(1)", "b;=cmd", "c\n@x"]


def test_neutralise_workbook_turns_assigned_formulas_into_text() -> None:
    book = openpyxl.Workbook()
    book.active.append(["=SUM(1,2)", -3, "-3", "\uff1dcmd", "plain"])
    assert book.active["A1"].data_type == "f"  # what openpyxl does with such text
    neutralise_workbook(book)
    cells = book.active[1]
    assert [c.data_type for c in cells] == ["s", "n", "s", "s", "s"]
    assert [c.quotePrefix for c in cells] == [True, False, True, True, False]
    _workbook_is_safe(workbook_bytes(book))


def test_the_report_of_hostile_data_has_no_formula() -> None:
    from journeylib.report import analysis_sheets

    ds = jl.load(_hostile_frame())
    sheets = analysis_sheets(ds)
    book = _workbook_is_safe(jl.excel_report(sheets, title='=HYPERLINK("x")', filters=ds.filters))
    texts = [c.value for s in book.worksheets for r in s.iter_rows() for c in r]
    assert '=HYPERLINK("x")' in texts  # the title, kept as text
    assert any(isinstance(v, str) and v.startswith("=HYPERLINK(\"https") for v in texts)


def test_drop_off_downloads_of_hostile_data_have_no_formula() -> None:
    from journeylib.funnel import drop_offs

    ds = jl.load(_hostile_frame())
    lost = drop_offs(ds, 2)
    assert len(lost)
    _csv_is_safe(csv_bytes(lost))
    _workbook_is_safe(excel_report({"Lost": lost}, title="Lost"))


def _saves_an_image(node: ast.Call) -> bool:
    """``image.save(out, format="PNG")``: a picture, not a CSV or workbook."""
    return node.func.attr == "save" and any(
        k.arg == "format" and isinstance(k.value, ast.Constant) and k.value.value == "PNG"
        for k in node.keywords)


def _calls_outside_text_module(names: set[str]) -> list[str]:
    found = []
    for folder in ("journeylib", "dashboard", "app_pages"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name in ("text.py", "sample.py"):  # the helper; the generated sample
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in names and not _saves_an_image(node)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}")
    return found


def test_every_csv_and_workbook_is_written_through_the_helper() -> None:
    """CSV only through csv_bytes, workbooks saved only through workbook_bytes (or, for pandas'
    writer, neutralised before it closes), so a new download cannot forget it."""
    assert _calls_outside_text_module({"to_csv", "save"}) == []
    excel = _calls_outside_text_module({"to_excel"})
    assert excel and all(c.startswith("journeylib/touchpoints.py") for c in excel)
    source = (ROOT / "journeylib/touchpoints.py").read_text(encoding="utf-8")
    assert "neutralise_workbook(writer.book)" in source


# --- Markdown --------------------------------------------------------------------------------

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
NAMES = [
    "**bold**", "__bold__", "*it*", "[link](javascript:alert(1))", "![](https://t.example/x.png)",
    "<img src=x onerror=alert(1)>", "<https://evil.example>", "$x$", "$$E=mc^2$$", ":red[x]",
    ":material/home:", "`code`", "~~gone~~", "# Heading", "- item", "+ item", "1. first",
    "2) second", "> quote", "| a | b |", "    indented", "a\\*b", "&lt;b&gt;", "&amp;", "***",
    "line\nbreak", "[a]: https://evil.example", "x<br>y", "Tom & Jerry", "50% off: now",
]


@pytest.mark.parametrize("name", NAMES)
def test_escaped_names_render_as_their_own_text(name: str) -> None:
    rendered = MARKDOWN.render(escape_markdown(name)).strip()
    expected = html.escape(" ".join(name.split("\n")).strip(), quote=False)
    assert rendered == f"<p>{expected}</p>"


@pytest.mark.parametrize("name", NAMES)
def test_escaped_names_render_as_text_inside_bold(name: str) -> None:
    rendered = MARKDOWN.render(f"**{escape_markdown(name)}**").strip()
    assert re.sub(r"</?strong>", "", rendered) == (
        f"<p>{html.escape(' '.join(name.split(chr(10))).strip(), quote=False)}</p>")


@settings(max_examples=300, deadline=None)
@given(name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_any_escaped_name_renders_as_its_own_text(name: str) -> None:
    rendered = MARKDOWN.render(escape_markdown(name)).strip()
    inner = rendered.removeprefix("<p>").removesuffix("</p>")
    assert "<" not in inner  # no tag at all: no emphasis, link, image, code or HTML
    # The same characters (Markdown drops blanks around a paragraph).
    assert html.unescape(inner).strip() == name.strip()


@pytest.mark.parametrize(("name", "escaped"), [
    ("https://evil.example", "https\\://evil.example"), ("www.evil.example", "www\\.evil.example"),
    ("ads@evil.example", "ads\\@evil.example"), (":red[x]", "\\:red\\[x\\]"),
    (":smile:", "\\:smile:"), (":material/home:", "\\:material/home:"), ("$x$", "\\$x\\$"),
])
def test_streamlit_extensions_are_escaped(name: str, escaped: str) -> None:
    """Streamlit adds GFM autolinks, LaTeX, emoji and colour directives to CommonMark; each is
    broken by a backslash at its start."""
    assert escape_markdown(name) == escaped


def test_plain_sentences_keep_their_text() -> None:
    for sentence in ("Filters: 1 Jan 2024 – 31 Jan 2024, channel email.",
                     "7% of the 5,000 customers who reached Awareness went on to Advocacy",
                     "Awareness → Purchase (12:30)"):
        assert escape_markdown(sentence) == sentence


# --- the app ---------------------------------------------------------------------------------

PAGES = ["data", "funnel", "journeys", "attribution", "emotions", "touchpoints", "journey_map"]
SHOWN_AS_MARKDOWN = ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                     "error", "success")


def _markdown_texts(at: AppTest) -> list[str]:
    texts = [e.value for kind in SHOWN_AS_MARKDOWN for e in at.get(kind)]
    texts += [e.label for kind in ("metric", "expander", "tab") for e in at.get(kind)]
    return [str(x) for x in texts]


@pytest.fixture(scope="module")
def hostile_upload() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/data.py")
    at.run()
    data = _hostile_frame().to_csv(index=False).encode()
    at.file_uploader[0].set_value((FILE_NAME, data, "text/csv")).run()
    assert not at.exception, at.exception
    assert at.session_state["source"] == "upload"
    return at


@pytest.mark.parametrize("page", PAGES)
def test_hostile_names_show_as_text_on_every_page(hostile_upload: AppTest, page: str) -> None:
    at = hostile_upload
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    texts = _markdown_texts(at)
    everything = "\n".join(texts)
    for name in HOSTILE:
        for text in texts:
            assert name not in text.replace(escape_markdown(name), ""), (name, text)
    # The data's name is shown (escaped) in the sidebar of every page.
    assert escape_markdown(FILE_NAME) in everything
    if page in ("funnel", "journey_map"):
        assert any(escape_markdown(s) in everything for s in STAGES)


def test_presentation_mode_heading_is_escaped(hostile_upload: AppTest) -> None:
    at = hostile_upload
    at.switch_page("app_pages/journey_map.py")
    at.session_state["jm_present"] = True
    at.session_state["jm_step"] = 3
    at.run()
    assert not at.exception, at.exception
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings and headings[0].startswith(f"### {escape_markdown(STAGES[2])}")
    for text in _markdown_texts(at):
        assert STAGES[2] not in text.replace(escape_markdown(STAGES[2]), "")
    at.session_state["jm_present"] = False


def test_an_unknown_view_in_a_link_is_echoed_escaped() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["_view_missing"] = "[Log in](https://evil.example)"
    at.switch_page("app_pages/funnel.py")
    at.run()
    warnings = [w.value for w in at.warning]
    # Quoted as inline code (links.quoted): shown as typed, never rendered as a link.
    assert any("`[Log in](https://evil.example)`" in w for w in warnings)
    assert not any("[Log in](https" in w.replace("`[Log in](https://evil.example)`", "")
                   for w in warnings)


# --- downloads that cannot be made -----------------------------------------------------------

@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The makers of one-click downloads registered by the last run, by widget key."""
    makers: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def spy(self, data, mimetype, coordinates, file_name=None, element_id=""):
        key = next((k for k in ("report_download", "jm_handout_download")
                    if k in (element_id or "")), element_id)
        makers[key] = data
        return original(self, data, mimetype, coordinates, file_name=file_name,
                        element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return makers


def _click(makers: dict[str, object], key: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - Streamlit gets the error and sends no file
        makers[key]()


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "**The Excel report could not be made.** The numbers could not be read."),
    ("ru", "**Отчёт Excel: не удалось создать файл.** The numbers could not be read."),
])
def test_a_failed_report_says_what_and_why(deferred, monkeypatch, lang, expected) -> None:
    def broken(ds, targets=None):
        raise jl.DataError("The numbers could not be read.")

    monkeypatch.setattr("dashboard.sidebar.analysis_sheets", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page("app_pages/funnel.py")
    at.run()
    assert not at.sidebar.error
    _click(deferred, "report_download")
    at.run()
    assert [e.value for e in at.sidebar.error] == [expected]
    at.run()  # said once, not on every run after
    assert not at.sidebar.error


def test_a_failed_handout_says_it_was_too_large(deferred, monkeypatch) -> None:
    def too_large(pages, *, footnote="", paper="a4"):
        raise MemoryError

    monkeypatch.setattr("journeylib.handout.handout_pdf", too_large)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "pl"
    at.switch_page("app_pages/journey_map.py")
    at.run()
    _click(deferred, "jm_handout_download")
    at.run()
    errors = [e.value for e in at.main.error]
    assert errors == ["**Materiały na warsztat: nie udało się utworzyć pliku.** "
                      "Danych jest za dużo, by zbudować plik na tym serwerze: zawęź je filtrem "
                      "do mniejszej liczby dat, klientów lub etapów i spróbuj ponownie."]


def test_an_unexpected_failure_is_logged_and_worded(deferred, monkeypatch, caplog) -> None:
    def broken(ds, targets=None):
        raise TypeError("unsupported operand type(s) for /: 'decimal.Decimal' and 'float'")

    monkeypatch.setattr("dashboard.sidebar.analysis_sheets", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("app_pages/journeys.py")
    at.run()
    _click(deferred, "report_download")
    assert "could not be made" in caplog.text and "Decimal" in caplog.text
    at.run()
    (error,) = [e.value for e in at.sidebar.error]
    assert error.startswith("**The Excel report could not be made.** An unexpected error")
    assert "Decimal" not in error  # no internals reach the user
