"""Runs connectors, one named daemon thread each (`studio: live[youtube]`), with prompt shutdown.

Each connector's `run` waits only on its stop event or on calls with short timeouts; `stop()` sets the
event, asks every connector to `close()` (which interrupts a socket read or an HTTP stream), and joins
with a deadline. A connector that raises is reported as a `ConnectorState(failed)`; the others go on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.live.connectors.base import Connector
from studio.live.events import ConnectorState, FeedState

log = get_logger("live.runner")


class LiveRunner:
    def __init__(self, connectors: list[Connector], sink: Callable[[Any], None]) -> None:
        self.connectors = list(connectors)
        self.sink = sink
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for c in self.connectors:
            t = threading.Thread(target=self._run, args=(c,), name=f"studio: live[{c.name}]", daemon=True)
            self._threads.append(t)
            t.start()

    def _emit(self, event: Any) -> None:
        try:
            self.sink(event)
        except Exception:
            log.exception("live sink failed on %s", type(event).__name__)

    def _run(self, c: Connector) -> None:
        try:
            c.run(self._emit, self._stop)
        except Exception as e:  # a connector bug must not take the show down
            log.exception("connector %s crashed", c.name)
            message = mask_text(f"{e.__class__.__name__}: {e}")[:200]
            self._emit(ConnectorState(c.name, FeedState.FAILED, message))

    def alive(self) -> list[str]:
        return [t.name for t in self._threads if t.is_alive()]

    def stop(self, timeout: float = 3.0) -> bool:
        """Stop every connector; True when all threads ended within `timeout` seconds."""
        self._stop.set()
        for c in self.connectors:
            try:
                c.close()
            except Exception:
                log.exception("closing %s", c.name)
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return not self.alive()
