"""The optional password gate: nothing of the dashboard shows until the password is right."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apptest import new_app, open_page


def _app_with_password() -> AppTest:
    at = new_app()
    at.secrets["access"] = {"password": "correct horse"}
    at.run()
    return at


def test_without_a_password_secret_the_app_is_open() -> None:
    at = open_page()
    assert at.title[0].value == "Data"


def test_gate_blocks_until_the_password_is_right() -> None:
    at = _app_with_password()
    assert not at.exception
    assert [t.value for t in at.title] == ["Customer Journey Dashboard"]
    assert not at.dataframe and not at.sidebar.metric

    at.text_input[0].input("wrong")
    at.button[0].click().run()
    assert any("not right" in e.value for e in at.error)
    assert not at.dataframe
    assert all("correct horse" not in m.value for m in at.markdown)

    at.text_input[0].input("correct horse")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Data"
    assert [m.value for m in at.sidebar.metric] == ["45,066", "5,000"]
