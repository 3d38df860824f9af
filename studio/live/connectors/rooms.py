"""What the chat-room connectors built on unofficial asyncio libraries share (TikTok LIVE, Bilibili).

These platforms have no public chat API; an unofficial library speaks each one's websocket protocol. The
libraries are an optional extra (`pip install 'anchor-studio[rooms]'`), pinned because they break between
releases. This module keeps what is ours the same for every such connector:

* The library is imported lazily, in `run`, so the studio works without the extra; when it is missing
  the feed stops with one FAILED sentence that says what to install. `check_options` never needs it.
* The library's asyncio loop runs on the connector's own thread (`asyncio.new_event_loop()` in `run`).
  `stop` is looked at every `STOP_POLL` seconds and `close()` wakes the loop at once
  (`loop.call_soon_threadsafe`); the running session then gets `STOP_GRACE` seconds to close its
  connection, so `run` returns within about a second.
* A *session* is one connection made by the library. When it ends by itself (the library disconnected
  or raised), the connector backs off (`Backoff.delay` between `retry` and `retry_cap`, never less than
  `MIN_WAIT`, so `retry=0` cannot spin) and connects again; a wait the platform asks for is honoured up
  to `MAX_WAIT`. A session ends the feed by raising `FeedError(fatal=True, state=ENDED or FAILED)`.
* Library events are checked where they arrive, with the `*_field` helpers below: text is plain text of
  bounded length, ids are never empty, times lie within 1970…9999, counts are whole and bounded, money is
  a non-negative `Decimal` with 2 places. A malformed event is dropped, counted and logged; it never
  ends the thread.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import hashlib
import threading
import time
import unicodedata
from collections.abc import Awaitable, Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeGuard

from studio.core.backoff import Backoff
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.live.connectors.base import Connector, Emit, FeedError, parse_time
from studio.live.events import ChatMessage, ConnectorState, FeedState, ViewerCount

log = get_logger("live.rooms")

EXTRA = "pip install 'anchor-studio[rooms]'"

MAX_TEXT = 500         # characters of a chat line; the chat dock and overlay cut shorter still
MAX_AUTHOR = 64
MAX_NAME = 64          # a gift's name
MAX_ID = 128
MAX_COUNT = 1_000_000  # gifts in one event
MAX_VIEWERS = 100_000_000  # more than any room has had: a bigger count is garbage
MAX_MONEY = Decimal(10_000_000)  # in one chat line, in the platform's currency
CENT = Decimal("0.01")

STOP_POLL = 0.05   # seconds between two looks at the stop event
STOP_GRACE = 0.8   # seconds the session gets to close its connection once asked to stop
CLEANUP = 0.3      # seconds for each step of closing a library client
MIN_WAIT = 0.5     # no reconnect sooner than this, whatever `retry` says
MAX_WAIT = 3600.0  # no platform-requested wait longer than this
LOGGED_DROPS = 20  # the first drops are logged one by one, later ones every 1000th


# -- checking what a library hands us --------------------------------------------------------------

def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def text_field(value: Any, limit: int = MAX_TEXT) -> str:
    """A library's string as plain text: control characters (NUL, newlines, the ESC of ANSI sequences)
    become spaces, lone surrogates U+FFFD; at most `limit` characters. Anything but a string is ""."""
    if not isinstance(value, str):
        return ""
    value = value[: limit * 2]  # bound the work before looking at each character
    out = []
    for c in value:
        cat = unicodedata.category(c)
        out.append(" " if cat == "Cc" else "\ufffd" if cat == "Cs" else c)
    text = "".join(out).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def count_field(value: Any, maximum: int) -> int:
    """A whole number in 0…maximum; ValueError for anything else (negative, huge, float, bool, None)."""
    if not is_int(value) or not 0 <= value <= maximum:
        raise ValueError(f"not a count: {str(value)[:40]!r}")
    return int(value)


def time_field(value: Any) -> float:
    """Epoch seconds or milliseconds within 1970…9999; now when absent (0, None) or out of range."""
    if not value or isinstance(value, bool) or not isinstance(value, (int, float)):
        return time.time()
    try:
        return parse_time(value)
    except ValueError:
        return time.time()


def id_field(prefix: str, value: Any, *parts: Any) -> str:
    """`prefix:value` for a platform id (a positive int or a short printable string); otherwise
    `prefix:h…`, a digest of `parts`, so that the same event replayed gets the same id."""
    if is_int(value) and 0 < value < 2**64:
        return f"{prefix}:{value}"
    if isinstance(value, str) and 0 < len(value.strip()) <= MAX_ID and value.strip().isprintable():
        return f"{prefix}:{value.strip()}"
    digest = hashlib.sha256(repr(parts).encode("utf-8", "replace")).hexdigest()[:24]
    return f"{prefix}:h{digest}"


def money_field(value: Any, scale: int = 1) -> Decimal | None:
    """`value` / `scale` as a non-negative amount with 2 places; None for NaN, infinities, negatives,
    amounts over `MAX_MONEY` and anything that is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        amount = Decimal(str(value).strip()) / scale
    except (InvalidOperation, ValueError):  # ValueError: an int too long to write out
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
        return None
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


Parser = Callable[[Any, str], "ChatMessage | ViewerCount | None"]


# -- the connector ---------------------------------------------------------------------------------

class RoomConnector(Connector):
    """A connector whose platform is spoken by an asyncio library. Subclasses set `missing` (the FAILED
    sentence when the library is absent) and `closed` (the BACKOFF sentence when a session ends by
    itself), and implement `load_library`, `session` and `describe`."""

    unofficial = True
    missing = "this feed needs an optional library: " + EXTRA
    closed = "the platform closed the connection"
    backoff = Backoff(first=1.0, factor=2.0, cap=60.0)

    def __init__(self) -> None:
        self._emit: Emit = lambda e: None
        self._closed = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._lock = threading.Lock()
        self._joined = False
        self._ever = False
        self.dropped = 0  # malformed library events left out

    @abc.abstractmethod
    def load_library(self) -> Any:
        """Import the library (ImportError when it is not installed) and return what `session` needs."""

    @abc.abstractmethod
    async def session(self, lib: Any) -> None:
        """One connection: connect, emit until it ends. Return when the platform closed it (a reconnect
        follows); raise FeedError, or the library's own error (see `describe`)."""

    def describe(self, lib: Any, exc: Exception) -> FeedError:
        """The library's exception as the FeedError the host sees (default: back off)."""
        return FeedError(f"unexpected error ({exc.__class__.__name__})")

    # -- what sessions call ---------------------------------------------------------------------------

    def state(self, state: FeedState, message: str = "", retry_in: float | None = None) -> None:
        self._emit(ConnectorState(self.name, state, mask_text(message), retry_in))

    def joined(self, message: str = "") -> None:
        """The library says it is connected (once per session)."""
        if not self._joined:
            self._joined = True
            self.state(FeedState.RECONNECTED if self._ever else FeedState.CONNECTED, message)

    def drop(self, what: str, why: object) -> None:
        self.dropped += 1
        if self.dropped <= LOGGED_DROPS or self.dropped % 1000 == 0:
            log.warning("%s: dropped a malformed %s (%s; %d dropped so far)", self.name, what,
                        mask_text(str(why))[:200], self.dropped)

    def deliver(self, what: str, parse: Parser, raw: Any) -> None:
        """Emit what `parse` makes of a library event; a malformed one is dropped. Never raises: it runs
        inside the library's dispatch, where an exception would end the connection."""
        try:
            event = parse(raw, self.name)
        except Exception as e:  # noqa: BLE001 - whatever the library handed us, the show goes on
            self.drop(what, f"{e.__class__.__name__}: {e}")
            return
        if event is not None:
            self._emit(event)

    async def quietly(self, step: Awaitable[Any], what: str) -> None:
        """Await one step of closing a client, for at most CLEANUP seconds; its failure is only logged.
        CancelledError is swallowed too: a library's disconnect re-raises the cancellation of its own
        reader task, which must not skip the steps after it."""
        try:
            await asyncio.wait_for(step, CLEANUP)
        except (Exception, asyncio.CancelledError) as e:  # noqa: BLE001 - closing is best effort
            log.debug("%s: %s: %s", self.name, what, e.__class__.__name__)

    # -- the loop ------------------------------------------------------------------------------------

    def run(self, emit: Emit, stop: threading.Event) -> None:
        self._emit = emit
        try:
            try:
                lib = self.load_library()
            except ImportError as e:
                log.warning("%s: %s (%s)", self.name, self.missing, e)
                self.state(FeedState.FAILED, self.missing)
                return
            self.state(FeedState.CONNECTING)
            loop = asyncio.new_event_loop()
            with self._lock:
                self._loop, self._wake = loop, asyncio.Event()
            try:
                loop.run_until_complete(self._main(lib, stop))
            finally:
                self._shutdown(loop)
        except Exception as e:  # noqa: BLE001 - a bug of ours: report it, never raise out of run
            log.exception("%s: the connector failed", self.name)
            self.state(FeedState.FAILED, f"unexpected error ({e.__class__.__name__})")
        finally:
            self.state(FeedState.STOPPED)

    def _stopping(self, stop: threading.Event) -> bool:
        return stop.is_set() or self._closed.is_set()

    async def _until_stopped(self, stop: threading.Event) -> None:
        assert self._wake is not None
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            while not self._stopping(stop):
                await asyncio.wait({woken}, timeout=STOP_POLL)
        finally:
            woken.cancel()

    async def _sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Wait `seconds`; True when asked to stop meanwhile."""
        waiter = asyncio.ensure_future(self._until_stopped(stop))
        done, _ = await asyncio.wait({waiter}, timeout=seconds)
        waiter.cancel()
        return waiter in done

    async def _main(self, lib: Any, stop: threading.Event) -> None:
        attempt = 0
        while not self._stopping(stop):
            self._joined = False
            session = asyncio.ensure_future(self.session(lib))
            waiter = asyncio.ensure_future(self._until_stopped(stop))
            await asyncio.wait({session, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if not session.done():  # asked to stop: let the session close its connection
                session.cancel()
                await asyncio.wait({session}, timeout=STOP_GRACE)
                return
            error = self._outcome(lib, session)
            if self._joined:
                self._ever, attempt = True, 0
            if self._stopping(stop):
                return
            if error.fatal:
                self.state(error.state, str(error))
                return
            # our backoff is the floor: a platform's wait can lengthen it, never shorten it (a
            # "retry after 0" answered at once is a request storm), up to MAX_WAIT
            wait = self.backoff.delay(attempt)
            if error.retry_after is not None:
                wait = max(wait, error.retry_after)
            wait = min(max(wait, MIN_WAIT), MAX_WAIT)
            attempt += 1
            self.state(FeedState.BACKOFF, str(error), round(wait, 3))
            if await self._sleep(wait, stop):
                return

    def _outcome(self, lib: Any, session: asyncio.Future[None]) -> FeedError:
        if session.cancelled():
            return FeedError(self.closed)
        exc = session.exception()
        if exc is None:
            return FeedError(self.closed)
        if isinstance(exc, FeedError):
            return exc
        if not isinstance(exc, Exception):  # KeyboardInterrupt, SystemExit
            raise exc
        error = self.describe(lib, exc)
        log.warning("%s: %s (%s: %s)", self.name, error, exc.__class__.__name__, mask_text(str(exc))[:300])
        return error

    def _shutdown(self, loop: asyncio.AbstractEventLoop) -> None:
        """Cancel what the library left running, give it STOP_GRACE seconds, close the loop."""
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in pending:
                t.cancel()
            if pending:
                loop.run_until_complete(asyncio.wait(pending, timeout=STOP_GRACE))
            loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), STOP_GRACE))
        except Exception as e:  # noqa: BLE001 - closing is best effort
            log.debug("%s: closing the loop: %s", self.name, e.__class__.__name__)
        finally:
            with self._lock:
                self._loop, self._wake = None, None
            loop.close()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(wake.set)
