"""Password guessing is slowed down per session and per client address, and said in a sentence."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import access
from dashboard.access import FIRST_WAIT_SECONDS, FREE_ATTEMPTS, MAX_WAIT_SECONDS, Throttle

APP = str(Path(__file__).resolve().parent.parent / "app.py")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_waits_start_after_the_free_attempts_and_double() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    keys = ["session:a", "client:203.0.113.7"]
    for _ in range(FREE_ATTEMPTS - 1):
        throttle.fail(keys)
        assert throttle.wait(keys) == 0
    throttle.fail(keys)
    assert throttle.wait(keys) == FIRST_WAIT_SECONDS
    clock.now += FIRST_WAIT_SECONDS
    assert throttle.wait(keys) == 0
    throttle.fail(keys)
    assert throttle.wait(keys) == 2 * FIRST_WAIT_SECONDS
    for _ in range(30):
        throttle.fail(keys)
    assert throttle.wait(keys) == MAX_WAIT_SECONDS  # capped
    throttle.succeed(keys)
    assert throttle.wait(keys) == 0


def test_a_new_session_from_the_same_address_still_waits() -> None:
    throttle = Throttle(clock=Clock())
    for _ in range(FREE_ATTEMPTS):
        throttle.fail(["session:a", "client:203.0.113.7"])
    assert throttle.wait(["session:b", "client:203.0.113.7"]) > 0
    assert throttle.wait(["session:c", "client:198.51.100.1"]) == 0


def test_failures_are_forgotten_an_hour_later() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    for _ in range(FREE_ATTEMPTS + 3):
        throttle.fail(["session:a"])
    clock.now += access.FORGET_AFTER_SECONDS + 1
    assert throttle.wait(["session:a"]) == 0
    throttle.fail(["session:a"])
    assert throttle.wait(["session:a"]) == 0  # counting starts again


def test_the_client_address_behind_trusted_proxies(monkeypatch) -> None:
    context = SimpleNamespace(headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7, 10.0.0.2"},
                              ip_address="10.0.0.1")
    monkeypatch.setattr(access, "st", SimpleNamespace(context=context))
    assert access.client_address(0) == "10.0.0.1"
    assert access.client_address(1) == "10.0.0.2"
    assert access.client_address(2) == "203.0.113.7"  # the spoofable first entry is not used
    context.headers = {}
    assert access.client_address(1) == "10.0.0.1"
    context.ip_address = None
    assert access.client_address(0) is None


def test_passwords_are_compared_by_digest() -> None:
    assert access._same("correct horse", "correct horse")
    assert not access._same("correct hors", "correct horse")
    assert not access._same("", "correct horse")


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(access, "THROTTLE", Throttle(clock=clock))
    monkeypatch.setattr(access, "client_address", lambda proxies=0: "203.0.113.7")
    return clock


def _gate() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["access"] = {"password": "correct horse"}
    at.run()
    return at


def _try(at: AppTest, password: str) -> None:
    at.text_input[0].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception


def test_the_gate_makes_a_guesser_wait_even_with_the_right_password(clock: Clock) -> None:
    at = _gate()
    for _ in range(FREE_ATTEMPTS - 1):
        _try(at, "guess")
        assert any("not right" in e.value for e in at.error) and not at.warning
    _try(at, "guess")
    assert any("Try again in 2 seconds" in w.value for w in at.warning)

    _try(at, "correct horse")  # still waiting: not even compared
    assert [t.value for t in at.title] == ["Customer Journey Dashboard"]
    assert any("Try again in 2 seconds" in w.value for w in at.warning)

    other = _gate()  # a fresh session from the same address waits too
    _try(other, "correct horse")
    assert [t.value for t in other.title] == ["Customer Journey Dashboard"]
    assert any("Try again" in w.value for w in other.warning)

    clock.now += FIRST_WAIT_SECONDS
    _try(at, "correct horse")
    assert at.title[0].value == "Data"
    assert not access.THROTTLE.wait(["client:203.0.113.7"])  # the right password resets
