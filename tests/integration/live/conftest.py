"""Helpers for the live-layer integration tests: run a connector on its own thread against a fake
platform server until a condition holds, then stop it and hand back everything it emitted."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from studio.live.events import ChatMessage, ConnectorState, Order


class Collected(list):
    def of(self, t: type) -> list:
        return [e for e in self if isinstance(e, t)]

    @property
    def chat(self) -> list[ChatMessage]:
        return self.of(ChatMessage)

    @property
    def orders(self) -> list[Order]:
        return self.of(Order)

    @property
    def states(self) -> list[ConnectorState]:
        return self.of(ConnectorState)

    def state_names(self) -> list[str]:
        return [s.state for s in self.states]


def run_connector(connector: Any, until: Callable[[Collected], bool], timeout: float = 10.0) -> Collected:
    """Run until `until(events)` is true (or the connector ends by itself); always stop and join."""
    events = Collected()
    lock = threading.Lock()
    stop = threading.Event()

    def emit(e: Any) -> None:
        with lock:
            events.append(e)

    t = threading.Thread(target=connector.run, args=(emit, stop), name=f"test[{connector.name}]", daemon=True)
    t.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and t.is_alive():
            with lock:
                if until(events):
                    break
            time.sleep(0.01)
    finally:
        stop.set()
        connector.close()
        t.join(5)
    assert not t.is_alive(), "connector did not stop within 5 s"
    return events


@pytest.fixture
def youtube_key(monkeypatch) -> str:
    key = "AIzaTESTKEY123"
    monkeypatch.setenv("STUDIO_YOUTUBE_API_KEY", key)
    monkeypatch.delenv("STUDIO_YOUTUBE_TOKEN", raising=False)
    return key


@pytest.fixture
def shopify_token(monkeypatch) -> str:
    from .servers.shopify import TOKEN

    monkeypatch.setenv("STUDIO_SHOPIFY_TOKEN", TOKEN)
    return TOKEN
