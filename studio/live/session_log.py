"""The session log: every live event appended to a SQLite file (WAL) the moment it arrives.

One row per event, written in its own transaction, so a crash (even `kill -9`) loses nothing that
was handed to `append`; WAL with `synchronous=NORMAL` is durable against a process crash (only a
power cut can lose the last transactions). A restarted show opens the same file and appends. The
post-show report is rebuilt from this file alone by replaying it through `Counters`.

Rows hold plain JSON (money as strings). Connector messages are masked before they get here; no
token is ever passed to the log.

One writer per log: SQLite's WAL lets two processes write one file, and two shows would interleave
without a word, so a writer holds an advisory lock on `<log>.lock` (studio/core/files.py) and a second
show is refused with a sentence. A new log is created readable by the user only (0600; SQLite gives its
-wal and -shm files the same mode). A write that fails (a full disk) is a side file's failure: said
once in the log, the show and its counters go on, and writing resumes when the disk has room again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from studio.core.events import (
    BitrateChanged,
    EncoderProblem,
    ProductPinned,
    ProductUnpinned,
    StreamStateChanged,
)
from studio.core.files import PRIVATE, LockedError, WriterLock
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.live.counters import Counters
from studio.live.events import ChatMessage, ConnectorState, FeedState, LineItem, Order, ViewerCount

log = get_logger("live.session_log")

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    logged_at REAL NOT NULL,   -- wall clock when it was written
    kind      TEXT NOT NULL,   -- chat | order | viewers | connector | pin | unpin | stream | session
    source    TEXT NOT NULL,
    at        REAL NOT NULL,   -- the event's own time (order: created_at)
    data      TEXT NOT NULL    -- JSON
);
CREATE INDEX IF NOT EXISTS events_kind ON events(kind);
"""


class SessionLogError(Exception):
    pass


def encode(event: Any) -> tuple[str, str, float, dict[str, Any]]:
    """(kind, source, at, data) for an event; raises TypeError for anything else."""
    if isinstance(event, ChatMessage):
        d: dict[str, Any] = {"id": event.id, "author": event.author, "text": event.text, "kind": event.kind}
        if event.amount is not None:
            d["amount"], d["currency"] = str(event.amount), event.currency
        return "chat", event.source, event.at, d
    if isinstance(event, Order):
        return "order", event.source, event.created_at, {
            "id": event.id, "currency": event.currency, "total": str(event.total),
            "items": [{"sku": li.sku, "qty": li.qty, "price": str(li.price), "title": li.title}
                      for li in event.items]}
    if isinstance(event, ViewerCount):
        return "viewers", event.source, event.at, {"count": event.count}
    if isinstance(event, ConnectorState):
        return "connector", event.source, event.at, {
            "state": event.state.value, "message": mask_text(event.message),
            "retry_in": event.retry_in}
    if isinstance(event, ProductPinned):
        return "pin", "studio", event.at, {"sku": event.sku, "title": event.title}
    if isinstance(event, ProductUnpinned):
        return "unpin", "studio", event.at, {"sku": event.sku}
    if isinstance(event, StreamStateChanged):
        return "stream", event.output, event.at, {"state": event.state, "message": mask_text(event.message)}
    if isinstance(event, BitrateChanged):
        return "bitrate", event.output, event.at, {"kbps": event.kbps, "previous_kbps": event.previous_kbps,
                                                   "reason": mask_text(event.reason)}
    if isinstance(event, EncoderProblem):
        return "encoder", "studio", event.at, {"message": mask_text(event.message), "fatal": event.fatal}
    raise TypeError(f"not a loggable event: {type(event).__name__}")


def decode(kind: str, source: str, at: float, data: dict[str, Any]) -> Any:
    """The event object for a row; `session` rows come back as a plain dict."""
    if kind == "chat":
        amount = data.get("amount")
        return ChatMessage(source=source, id=data.get("id", ""), author=data.get("author", ""),
                           text=data.get("text", ""), at=at, kind=data.get("kind", "text"),
                           amount=Decimal(amount) if amount is not None else None,
                           currency=data.get("currency"))
    if kind == "order":
        items = tuple(LineItem(sku=i["sku"], qty=int(i["qty"]), price=Decimal(i["price"]),
                               title=i.get("title", ""))
                      for i in data["items"])
        return Order(source=source, id=data["id"], created_at=at, currency=data["currency"],
                     items=items, total=Decimal(data["total"]))
    if kind == "viewers":
        return ViewerCount(source=source, count=int(data["count"]), at=at)
    if kind == "connector":
        state = FeedState.of(data.get("state"))
        if state is not None:  # a state of no connector of ours (a hand-edited log) stays a plain row
            return ConnectorState(source=source, state=state, message=data.get("message", ""),
                                  retry_in=data.get("retry_in"), at=at)
    if kind == "pin":
        return ProductPinned(sku=data["sku"], title=data.get("title", ""), at=at)
    if kind == "unpin":
        return ProductUnpinned(sku=data["sku"], at=at)
    if kind == "stream":
        return StreamStateChanged(output=source, state=data["state"], message=data.get("message", ""), at=at)
    if kind == "bitrate":
        return BitrateChanged(kbps=int(data["kbps"]), previous_kbps=int(data["previous_kbps"]), output=source,
                              reason=data.get("reason", ""), at=at)
    if kind == "encoder":
        return EncoderProblem(message=data.get("message", ""), fatal=bool(data.get("fatal")), at=at)
    return {"kind": kind, "source": source, "at": at, **data}


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class SessionLog:
    """Append-only writer. Thread-safe: connectors and the UI thread append concurrently."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.write_failures = 0
        self._failing = False
        self._writer = WriterLock(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer.acquire()
        except LockedError as e:
            who = f" (process {e})" if str(e) else ""
            why = (f"the session log {self.path} is open in another running show{who}: give this show its "
                   "own --session-log FILE, or end the other show first")
            raise SessionLogError(why) from None
        except OSError as e:
            raise SessionLogError(f"cannot open the session log {self.path}: {e.strerror or e}") from None
        try:
            self._create_private()
            self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                       timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                             (str(SCHEMA_VERSION),))
        except (sqlite3.Error, OSError) as e:
            self._writer.release()
            reason = getattr(e, "strerror", None) or str(e)
            raise SessionLogError(f"cannot open the session log {self.path}: {reason}") from None
        self.closed = False

    def _create_private(self) -> None:
        """A new log file is made here, empty and 0600, before SQLite opens it (SQLite would create it
        with the umask's mode, usually world-readable); an existing one is left as it is."""
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(self.path, flags, PRIVATE)
        except FileExistsError:
            return
        os.close(fd)

    def append(self, event: Any) -> None:
        kind, source, at, data = encode(event)
        self._write(kind, source, at, data)

    def mark(self, what: str, **data: Any) -> None:
        """A `session` row: start, stop, or anything the show wants to remember."""
        self._write("session", "studio", time.time(), {"what": what, **data})

    def _write(self, kind: str, source: str, at: float, data: dict[str, Any]) -> None:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if not _utf8(text):  # a lone surrogate from a bridge: JSON's \ud800 escape keeps it, storable
            text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
        if not _utf8(source):
            source = source.encode("utf-8", "backslashreplace").decode("utf-8")
        row = (time.time(), kind, source, float(at), text)
        with self._lock:
            if self.closed:
                return
            try:
                self._db.execute("INSERT INTO events(logged_at, kind, source, at, data) VALUES (?,?,?,?,?)",
                                 row)
            except sqlite3.Error as e:  # a full disk, an I/O error: the log's problem, not the show's
                self.write_failures += 1
                if not self._failing:
                    self._failing = True
                    log.error("the session log %s cannot be written (%s): events are counted but not logged "
                              "until it can; the show goes on", self.path, e)
                return
            if self._failing:
                self._failing = False
                log.warning("the session log %s is written again (%d event(s) could not be logged)",
                            self.path, self.write_failures)

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self.closed = True
                try:
                    self._db.close()
                except sqlite3.Error as e:
                    log.warning("the session log %s did not close cleanly: %s", self.path, e)
                finally:
                    self._writer.release()


def read_rows(path: str | Path) -> Iterator[tuple[int, float, str, str, float, dict[str, Any]]]:
    """(seq, logged_at, kind, source, at, data) in append order. Works on a log left by a crash."""
    p = Path(path)
    if not p.is_file():
        raise SessionLogError(f"no session log at {p}")
    try:
        db = sqlite3.connect(str(p), timeout=10)
        try:
            cur = db.execute("SELECT seq, logged_at, kind, source, at, data FROM events ORDER BY seq")
            for seq, logged_at, kind, source, at, data in cur:
                yield seq, logged_at, kind, source, at, json.loads(data)
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise SessionLogError(f"{p} is not a readable session log: {e}") from e


def apply(counters: Counters, event: Any) -> bool:
    """Feed one event to the counters; returns whether it changed them (False for duplicates)."""
    if isinstance(event, Order):
        return counters.add_order(event)
    if isinstance(event, ChatMessage):
        return counters.add_chat(event)
    if isinstance(event, ViewerCount):
        counters.add_viewers(event)
    elif isinstance(event, ProductPinned):
        counters.pin(event.sku, event.at, event.title)
    elif isinstance(event, ProductUnpinned):
        counters.unpin(event.sku, event.at)
    return True


def replay(path: str | Path, counters: Counters | None = None, keep_times: bool = False) -> Counters:
    """Counters rebuilt from a log (the report, and a restarted show continuing its totals)."""
    c = counters or Counters()
    c.keep_times = keep_times
    last = None
    for _seq, logged_at, kind, source, at, data in read_rows(path):
        if kind == "session" and isinstance(data.get("catalog"), dict):
            for sku, title in data["catalog"].items():
                if isinstance(sku, str) and isinstance(title, str) and title:
                    c.catalog.setdefault(sku, title)
        apply(c, decode(kind, source, at, data))
        last = logged_at if last is None else max(last, logged_at)
    if last is not None:
        c.last_at = max(c.last_at or last, last)
        c.first_at = c.first_at if c.first_at is not None else last
    return c
