"""The live pipeline: every event → de-duplicate → session log → counters → bus, under one lock.

Order of work matters: an event is written to the log *before* the counters change, so whatever the
counters showed is in the log if the process dies the next instant. Duplicate orders (polling
overlaps, page repeats, reconnect replays) and duplicate chat ids are neither logged nor counted.
A restarted show replays its log first and then appends to it, so totals continue.

Every event is judged by `studio.live.validate` before anything else: a refused one (money, counts or
a time that cannot be true) is written to the log once, as a `rejected` session row with its reason,
and counted as rejected, never as a sale, a chat line or an audience; one sent again is not logged
again. An order or refund whose time was ahead of its arrival is counted at its arrival and noted by a
`clamped` row. Refunds and cancellations are `refund` / `cancel` rows: counted apart, not republished
(nothing on screen shows them), and never subtracted from GMV.

The window counts from the moment it opens (the sales dock, the card's stock) but writes a log only
while it is on air: built with no path, the session holds its counters in memory; `begin(path)` at
Go live opens the show's own log and starts its counters afresh (the product pinned at that moment
is logged as pinned from then on), and `end()` at Stop closes it. One log per Go live … Stop.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

from studio.core.events import (
    BitrateChanged,
    EncoderProblem,
    EventBus,
    ProductPinned,
    ProductUnpinned,
    StreamStateChanged,
)
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.live.counters import MARKS, Counters, money_mark
from studio.live.events import Cancellation, ChatMessage, ConnectorState, Order, Refund, ViewerCount
from studio.live.session_log import SessionLog, apply, read_rows, replay
from studio.live.validate import CLAMPED_FUTURE, event_id, event_kind, rejection_key, validate

log = get_logger("live.pipeline")

REPUBLISHED = (ChatMessage, Order, ViewerCount, ConnectorState)  # from connectors to the bus
# what the engine and the show publish on the bus that the session log keeps
LOGGED_FROM_BUS = (ProductPinned, ProductUnpinned, StreamStateChanged, BitrateChanged, EncoderProblem)


class LiveSession:
    def __init__(self, log_path: str | Path | None, bus: EventBus | None = None,
                 catalog: dict[str, str] | None = None, meta: dict[str, Any] | None = None) -> None:
        self.catalog = dict(catalog or {})
        self.meta = dict(meta or {})
        self.log: SessionLog | None = None
        self.counters = Counters(catalog)
        self.bus = bus
        self._lock = threading.Lock()
        self.version = 0  # bumps on every counted change (the overlay polls it)
        if log_path is not None:
            self._open(Path(log_path))
        if bus is not None:
            for t in LOGGED_FROM_BUS:
                bus.subscribe(t, self._from_bus)

    def _open(self, path: Path) -> None:
        log_ = SessionLog(path)
        self.counters = replay(path, Counters(self.catalog))
        for row in read_rows(path):  # what `replay` does not know: refused, clamped, refunds
            if row[2] == "session" and row[5].get("what") in MARKS:
                self.counters.apply_mark(row[5])
        self.log = log_
        # the start mark carries what the report needs and the events do not: whether the data is
        # simulated (demo) and the catalog's titles, so the report names products as the show did
        log_.mark("start", **{**self.meta, **({"catalog": dict(self.catalog)} if self.catalog else {})})

    @property
    def log_path(self) -> Path | None:
        return self.log.path if self.log is not None else None

    def begin(self, path: str | Path, **meta: Any) -> None:
        """Go live: the show's own log from now on (its start mark is the moment on air), its counters
        from zero (orders and chat already seen stay seen, so a replay is not counted), the product
        pinned now logged as pinned now.
        SessionLogError when the log cannot be opened (nothing changes then)."""
        with self._lock:
            old = self.counters
            self.meta.update(meta)
            self._close_log()
            self._open(Path(path))
            new = self.counters
            new._orders |= old._orders
            for key in old._chat_ids:
                new._chat_ids[key] = None
            for rkey in old._rejected:
                new._rejected[rkey] = None
            new._refunds |= old._refunds
            new._cancellations |= old._cancellations
            for sku, n in old.stock_sold.items():
                new.stock_sold[sku] = new.stock_sold.get(sku, 0) + n
            pinned = old.pins.current()
            if pinned is not None:
                title = self.catalog.get(pinned) or old.catalog.get(pinned, "")
                pin = ProductPinned(pinned, title, at=time.time())
                assert self.log is not None
                self.log.append(pin)
                apply(new, pin)
            self.version += 1

    def end(self) -> Path | None:
        """Stop: close the show's log (the counters stay, for the summary); its path, or None."""
        with self._lock:
            path = self.log_path
            self._close_log()
            return path

    def adopt(self, counters: Counters) -> None:
        """Count on from `counters` (a show rebuilt for a new canvas or device keeps its sales)."""
        with self._lock:
            for sku, title in self.catalog.items():
                counters.catalog.setdefault(sku, title)
            self.counters = counters
            self.version += 1

    def mark(self, what: str, **data: Any) -> None:
        with self._lock:
            self._mark_locked(what, **data)

    def _mark_locked(self, what: str, **data: Any) -> None:
        if self.log is not None:
            self.log.mark(what, **data)

    def _close_log(self) -> None:
        log_, self.log = self.log, None
        if log_ is not None:
            try:
                log_.mark("stop")
            finally:
                log_.close()

    def _from_bus(self, event: Any) -> None:
        self.handle(event, republish=False)

    def handle(self, event: Any, republish: bool = True) -> bool:
        """Take one event from a connector (or the bus). Returns False when it was not counted: a
        duplicate, or refused by the validator (then logged once as `rejected` and counted so)."""
        if isinstance(event, ChatMessage):
            # A platform or a viewer may echo a stream key or token into chat: never log or show it.
            author, text = mask_text(event.author), mask_text(event.text)
            if (author, text) != (event.author, event.text):
                event = dataclasses.replace(event, author=author, text=text)
        verdict = validate(event, time.time())
        with self._lock:
            if isinstance(event, Order) and not self.counters.is_new_order(event):
                return False
            if isinstance(event, ChatMessage) and not self.counters.is_new_chat(event):
                return False
            if isinstance(event, Refund) and not self.counters.is_new_refund(event):
                return False
            if isinstance(event, Cancellation) and not self.counters.is_new_cancellation(event):
                return False
            if verdict.event is None:
                self._reject_locked(event, verdict.reason, verdict.detail)
                return False
            event = verdict.event
            if verdict.clamped_from is not None:
                counted = event.created_at if isinstance(event, Order) else event.at
                self._mark_locked("clamped", event=event_kind(event), source=event.source,
                                  id=event_id(event)[:256], reason=CLAMPED_FUTURE,
                                  sent=verdict.clamped_from, counted=counted)
                self.counters.clamped += 1
            if isinstance(event, (Refund, Cancellation)):
                what, data = money_mark(event)
                self._mark_locked(what, **data)
                if isinstance(event, Refund):
                    self.counters.add_refund(event)
                else:
                    self.counters.add_cancellation(event)
            else:
                if self.log is not None:
                    self.log.append(event)
                apply(self.counters, event)
            self.version += 1
        if isinstance(event, ConnectorState):
            log.info("%s: %s %s", event.source, event.state.value, event.message)
        if republish and self.bus is not None and isinstance(event, REPUBLISHED):
            self.bus.publish(event)
        return True

    def _reject_locked(self, event: Any, reason: str, detail: str) -> None:
        """Log and count a refused event, once: a platform sending it again changes nothing."""
        kind, source = event_kind(event), str(getattr(event, "source", ""))
        key = rejection_key(event, detail)
        if not self.counters.is_new_rejection(kind, source, key):
            return
        self._mark_locked("rejected", event=kind, source=source, id=key, reason=reason, detail=detail)
        self.counters.add_rejected(kind, source, key, reason)
        self.version += 1
        if key == detail:  # an event without an id (a viewer count): the detail says it all
            log.warning("%s: %s refused: %s", source, kind, detail)
        else:
            log.warning("%s: %s %r refused: %s", source, kind, key[:80], detail)

    def units_sold(self, sku: str) -> int:
        """Units of `sku` gone since the catalog was loaded (for the stock left, not the show's sales)."""
        with self._lock:
            return self.counters.stock_sold.get(sku, 0)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self.counters.totals()

    def recent_chat(self, n: int = 8) -> list[ChatMessage]:
        with self._lock:
            return list(self.counters.recent_chat)[-n:]

    def close(self) -> None:
        if self.bus is not None:
            for t in LOGGED_FROM_BUS:
                self.bus.unsubscribe(t, self._from_bus)
        with self._lock:
            self._close_log()
