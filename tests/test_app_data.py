"""AppTest tests of the Data page: upload CSV and XLSX, change a mapping, see rejected rows."""

from __future__ import annotations

import io

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page

RU_CSV = (
    "Отчёт о клиентах за март;;;;;\n"
    "ID клиента;Дата;Этап;Канал;Оценка;Выручка\n"
    "1001;01.03.2026 10:15;Awareness;поиск;4,5;\n"
    "1001;02.03.2026 11:00;Purchase;сайт;5;1 234,50\n"
    ";03.03.2026;Purchase;сайт;5;10\n"
    "1002;xx.03.2026;Purchase;сайт;2;10\n"
    "1003;04.03.2026 09:30;Awareness;почта;1;\n"
).encode("cp1251")


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Dane"
    sheet.append(["Raport ścieżek klientów — marzec 2026"])
    sheet.append(["Klient", "Data", "Etap", "Kanał", "Ocena", "Przychód"])
    sheet.append(["K1", "14.03.2026 10:00", "Awareness", "e-mail", 4, None])
    sheet.append(["K1", "15.03.2026 12:30", "Purchase", "sklep", 5, 199.99])
    sheet.append(["K2", "16.03.2026 08:00", "Awareness", "social", 2, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def app() -> AppTest:
    return open_page()


def _selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def test_opens_on_the_sample(app: AppTest) -> None:
    assert [m.value for m in app.sidebar.metric] == ["45,066", "5,000"]
    assert app.subheader[0].value.startswith("Sample journeys")
    assert not app.main.error  # the sidebar still says the file cannot be used as touchpoints
    preview = app.dataframe[0].value
    assert list(preview.columns[:3]) == ["source_row", "customer_id", "timestamp"]
    assert len(preview) == 100


def test_upload_russian_csv_shows_counts_and_rejections(app: AppTest) -> None:
    app.file_uploader[0].set_value(("клиенты.csv", RU_CSV, "text/csv")).run()
    assert not app.exception
    assert app.session_state["source"] == "upload"
    assert [m.value for m in app.sidebar.metric] == ["3", "2"]
    assert app.subheader[0].value == "клиенты.csv"
    assert "3 touchpoints loaded, 2 rows rejected." in [c.value for c in app.caption]
    rejected_tab = next(t for t in app.tabs if t.label.startswith("Rejected rows"))
    assert rejected_tab.label == "Rejected rows (2)"
    reasons = app.dataframe[1].value  # preview, reason summary, rejected rows, quality
    rejected = app.dataframe[2].value
    assert list(rejected["row"]) == ["5", "6"]  # display copies: text in the language
    assert rejected["reason"].iloc[0] == "no customer id"
    # The reason is worded in the interface language; the unreadable value is in its column.
    assert rejected["reason"].iloc[1] == "timestamp is not a date that could be read"
    assert rejected["Дата"].iloc[1] == "xx.03.2026"
    assert reasons["rows"].astype(int).sum() == 2
    markdown = " ".join(m.value for m in app.markdown)
    assert "encoding cp1251" in markdown and "separated by semicolons" in markdown
    assert "1 title row above it skipped" in markdown


def test_upload_polish_xlsx(app: AppTest) -> None:
    app.file_uploader[0].set_value(("ścieżki.xlsx", _xlsx(), "application/vnd.ms-excel")).run()
    assert not app.exception
    assert [m.value for m in app.sidebar.metric] == ["3", "2"]
    assert _selectbox(app, "Customer id").value == "Klient"
    assert _selectbox(app, "Revenue").value == "Przychód"
    preview = app.dataframe[0].value
    # shown as the (English) interface writes it; the loaded numbers are exact
    assert preview["revenue"].iloc[1] == "199.99"
    assert list(preview["valence"]) == ["+0.50", "+1.00", "\u22120.50"]


def test_changing_a_mapping_reloads(app: AppTest) -> None:
    app.file_uploader[0].set_value(("клиенты.csv", RU_CSV, "text/csv")).run()
    _selectbox(app, "Segment").select("Канал").run()
    assert not app.exception
    preview = app.dataframe[0].value
    assert list(preview["segment"]) == ["поиск", "сайт", "почта"]
    assert app.session_state["load_options"].mapping == {"segment": "Канал"}
    # Unmapping the timestamp makes the file unusable: a clear error, no traceback.
    _selectbox(app, "Timestamp").select("(not used)").run()
    assert not app.exception
    assert any("No column looks like the timestamp" in e.value for e in app.error)


def test_unreadable_upload_gives_a_clear_error(app: AppTest) -> None:
    app.file_uploader[0].set_value(("junk.csv", bytes(range(256)) * 10, "text/csv")).run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert any("binary data" in e for e in errors), errors


def test_switching_back_to_the_sample(app: AppTest) -> None:
    app.file_uploader[0].set_value(("клиенты.csv", RU_CSV, "text/csv")).run()
    app.radio(key="source").set_value("sample").run()
    assert [m.value for m in app.sidebar.metric] == ["45,066", "5,000"]


def test_stage_model_and_purchase_stage_overrides(app: AppTest) -> None:
    _selectbox(app, "Stage model").select("custom").run()
    assert not app.exception
    order = next(m for m in app.multiselect if m.label.startswith("Stages in journey order"))
    order.set_value(["Awareness", "Consideration", "Retention", "Purchase", "Advocacy"]).run()
    assert not app.exception
    assert app.session_state["load_options"].stages[2:4] == ["Retention", "Purchase"]
    markdown = " ".join(m.value for m in app.markdown)
    assert "Awareness → Consideration → Retention → Purchase → Advocacy" in markdown
    purchase = next(s for s in app.selectbox if s.label.startswith("Purchase stage"))
    purchase.select("Retention").run()
    captions = " ".join(c.value for c in app.caption)
    assert ("Buyer journey: Awareness → Consideration → Retention. "
            "Customer journey: Purchase → Advocacy.") in captions


def test_emotion_scale_override_changes_valence(app: AppTest) -> None:
    _selectbox(app, "Emotion scale").select("0-10").run()
    assert not app.exception
    preview = app.dataframe[0].value
    scored = preview.dropna(subset=["emotion"])
    # On 0-10 a CSAT 5 is the midpoint: valence 0; a 3 is -0.4 (shown as English writes it).
    shown = [float(v.replace("\u2212", "-")) for v in scored["valence"]]
    expected = [round((float(e) - 5) / 5, 2) for e in scored["emotion"]]
    assert shown == expected
    assert any("0-10 scale (as chosen)" in c.value for c in app.caption)


def test_label_emotions_show_their_lexicon(app: AppTest) -> None:
    data = ("customer,date,stage,feeling\n"
            "a,2026-03-01,Awareness,joy\n"
            "a,2026-03-02,Purchase,Злость\n"
            "b,2026-03-01,Awareness,meh\n").encode()
    app.file_uploader[0].set_value(("labels.csv", data, "text/csv")).run()
    assert not app.exception
    lexicon = next(d.value for d in app.dataframe if "label" in d.value.columns)
    assert dict(zip(lexicon["label"], lexicon["valence"], strict=True))["joy"] == 1.0
    assert "meh" in set(lexicon["label"])
    assert any("'meh' (1)" in w.value for w in app.warning)


def test_sidebar_filters_are_kept_and_described(app: AppTest) -> None:
    segments = next(m for m in app.sidebar.multiselect if m.label == "Segments")
    segments.set_value(["Business"]).run()
    assert not app.exception
    filters = app.session_state["filters"]
    assert filters.segments == ("Business",) and filters.start is None
    assert "Analyses show only: segment: Business." in [c.value for c in app.sidebar.caption]
    # New data resets the filters: its segments are different.
    app.file_uploader[0].set_value(("клиенты.csv", RU_CSV, "text/csv")).run()
    assert not app.session_state["filters"].active


def test_excel_report_is_one_click(app: AppTest) -> None:
    # The report is computed when the button is pressed (a deferred download: the browser test
    # clicks it and opens the file); nothing needs preparing first.
    labels = [b.label for b in app.get("download_button")]
    assert "Download the report (.xlsx)" in labels
    assert not [b for b in app.sidebar.button if "report" in b.label.lower()]


def test_a_path_table_is_recognised_and_sent_to_attribution(app: AppTest) -> None:
    paths = b"path;total_conversions;total_conversion_value;total_null\nsearch > email;3;120;9\n"
    app.file_uploader[0].set_value(("paths.csv", paths, "text/csv")).run()
    assert not app.exception
    assert any("conversion-path table" in i.value for i in app.info)
    assert not app.main.error  # the sidebar still says the file cannot be used as touchpoints
