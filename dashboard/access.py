"""Optional access control: a shared password from secrets, or Streamlit's OIDC login.

Password guesses are slowed down: after :data:`FREE_ATTEMPTS` wrong passwords from one session,
or from one client address, each further try must wait, twice as long each time (from
:data:`FIRST_WAIT_SECONDS` up to :data:`MAX_WAIT_SECONDS`). While a wait runs, a typed password
is not even compared. The client address is the one Streamlit sees (``st.context.ip_address``);
behind a reverse proxy, set ``[access] trusted_proxies = 1`` (the number of proxies in front)
to take it from ``X-Forwarded-For`` instead, since otherwise every visitor shares the proxy's
address. Without an address the session alone counts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from journeylib.i18n import t

FREE_ATTEMPTS = 5
FIRST_WAIT_SECONDS = 2.0
MAX_WAIT_SECONDS = 300.0
FORGET_AFTER_SECONDS = 3600.0  # a client's failures are forgotten an hour after the last one
MAX_TRACKED = 10_000  # client addresses remembered at once (the oldest are dropped first)
_log = logging.getLogger(__name__)


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0


@dataclass
class Throttle:
    """Failed password attempts per key (``"session:…"``, ``"client:…"``) and the wait they
    impose. ``clock`` gives seconds (monotonic)."""

    clock: Callable[[], float] = time.monotonic
    _records: dict[str, _Failures] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def wait(self, keys: list[str]) -> float:
        """Seconds to wait before the next attempt from any of ``keys`` may be checked (0 when
        none has failed more than :data:`FREE_ATTEMPTS` times, or its wait is over)."""
        now = self.clock()
        with self._lock:
            waits = [self._wait_of(self._records.get(k), now) for k in keys]
        return max(waits, default=0.0)

    @staticmethod
    def _wait_of(record: _Failures | None, now: float) -> float:
        if record is None or record.count < FREE_ATTEMPTS:
            return 0.0
        if now - record.last > FORGET_AFTER_SECONDS:
            return 0.0
        delay = min(FIRST_WAIT_SECONDS * 2 ** (record.count - FREE_ATTEMPTS), MAX_WAIT_SECONDS)
        return max(0.0, record.last + delay - now)

    def fail(self, keys: list[str]) -> None:
        """Count a wrong password for every key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                record = self._records.get(key)
                if record is None or now - record.last > FORGET_AFTER_SECONDS:
                    record = self._records[key] = _Failures()
                record.count += 1
                record.last = now
            if len(self._records) > MAX_TRACKED:
                for key in sorted(self._records, key=lambda k: self._records[k].last)[
                        : len(self._records) - MAX_TRACKED]:
                    del self._records[key]

    def succeed(self, keys: list[str]) -> None:
        """Forget the failures of every key (the right password was given)."""
        with self._lock:
            for key in keys:
                self._records.pop(key, None)


THROTTLE = Throttle()


def _secret_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name, {}))
    except FileNotFoundError:  # no secrets.toml at all: the app is open
        return {}


def client_address(trusted_proxies: int = 0) -> str | None:
    """The visitor's address: with ``trusted_proxies`` > 0, the entry that many from the right
    of ``X-Forwarded-For`` (the one the nearest trusted proxy saw); else the address of the
    connection; None when neither is known."""
    if trusted_proxies > 0:
        forwarded = st.context.headers.get("X-Forwarded-For") or ""
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return st.context.ip_address or None


def _keys(trusted_proxies: int) -> list[str]:
    if "_access_session" not in st.session_state:
        st.session_state["_access_session"] = secrets.token_hex(8)
    session_key = st.session_state["_access_session"]
    keys = [f"session:{session_key}"]
    address = client_address(trusted_proxies)
    if address:
        keys.append(f"client:{address}")
    return keys


def _same(typed: str, password: str) -> bool:
    """Constant-time comparison (of digests, so not even the length shows in the timing)."""
    return hmac.compare_digest(hashlib.sha256(typed.encode()).digest(),
                               hashlib.sha256(password.encode()).digest())


def require_access() -> None:
    """Stop the script until the visitor is let in.

    With ``[auth]`` in ``.streamlit/secrets.toml`` the visitor logs in through ``st.login``; with
    ``[access] password = "..."`` they type the shared password (compared in constant time, and
    slowed down after a few wrong ones: see the module's docstring). Without either the app is
    open. The password is never shown or logged.
    """
    if _secret_section("auth"):
        if not st.user.is_logged_in:
            st.title(t("app.title"))
            st.button(t("access.log_in"), on_click=st.login, type="primary")
            st.stop()
        return
    section = _secret_section("access")
    password = section.get("password")
    if not password or st.session_state.get("access_granted"):
        return
    try:
        proxies = max(0, int(section.get("trusted_proxies", 0)))
    except (TypeError, ValueError):
        proxies = 0
    keys = _keys(proxies)
    st.title(t("app.title"))
    with st.form("access"):
        typed = st.text_input(t("access.password"), type="password")
        submitted = st.form_submit_button(t("access.open"), type="primary")
    if submitted:
        waiting = THROTTLE.wait(keys)
        if waiting > 0:
            _log.log(logging.WARNING, "password attempt refused while waiting (%s)", keys[-1])
        elif _same(typed, str(password)):
            THROTTLE.succeed(keys)
            st.session_state["access_granted"] = True
            st.rerun()
        else:
            THROTTLE.fail(keys)
            _log.log(logging.WARNING, "wrong password (%s)", keys[-1])
            st.error(t("access.wrong_password"))
            waiting = THROTTLE.wait(keys)
        if waiting > 0:
            st.warning(t("access.too_many", n=math.ceil(waiting), free=FREE_ATTEMPTS))
    st.stop()
