"""What every connector shares: settings parsing, HTTP validation, retry policy, the polling loop.

A connector is a small class with a `kind` id, built from a settings dict (the `--feed` spec), whose
`run(emit, stop)` blocks on its own thread until `stop` is set or the platform ends the chat. It
turns every failure into a `ConnectorState` event and a backoff, never an exception out of `run`.

HTTP rules, for every connector:
* one `httpx.Client` with explicit connect/read timeouts on every call, and every request made through
  `PollingConnector.request` (or a stream opened under a `Deadline`): a wall-clock deadline for the whole
  request (`request_deadline`, 30 s) and a body capped while it streams (`MAX_BODY`, 8 MiB), see
  studio/core/http.py;
* redirects are *not* followed: platform APIs do not redirect, and following one would carry a token
  (e.g. `X-Shopify-Access-Token`, a custom header httpx keeps across hosts) somewhere else. A 3xx is
  an error like any other, so a redirect loop costs one request per backoff, not a spin;
* every body is validated where it arrives (`json_body` + the connector's own shape checks);
* `api_base` replaces scheme and host only; the documented paths stay.

Request-rate bounds, whatever the server answers (`Retry-After: 0`, negative or a day, an instant close,
a stream that ends at once) and whatever the settings:
* after a failure the wait is our own exponential backoff (`retry` doubling up to `retry_cap`); a
  server's `Retry-After` may lengthen it, never shorten it, and is honoured up to `retry_cap`. With the
  defaults (1 s, 60 s) a failing feed makes at most 7 requests in its first minute and 1–2 a minute after;
* every request also spends a token of `RequestBudget` (40 at once, 2 a second after): no connector
  makes more than 40 + 60·2 = 160 requests in any minute, even with `retry=0` or `interval=0`;
* a response ends within `request_deadline` (30 s) of wall-clock time — a server that drips its headers
  or its body included — and costs at most MAX_BODY (8 MiB) of body, held twice while it is joined,
  plus its parse, which MAX_JSON_VALUES keeps under ~55 MiB: about 75 MB a feed at worst.
"""

from __future__ import annotations

import abc
import contextlib
import email.utils
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from studio.core.backoff import Backoff, retry_wait
from studio.core.errors import UserError
from studio.core.http import (
    Deadline,
    DeadlineExceeded,
    ResponseTooLarge,
    SocketWatch,
    fetch,
    make_client,
)
from studio.core.log import get_logger
from studio.core.secrets import mask_text
from studio.live.connectors.options import RETRY, RETRY_CAP, Option, number_value
from studio.live.events import ConnectorState, FeedState

log = get_logger("live.connectors")

Emit = Callable[[Any], None]

MAX_BODY = 8 * 1024 * 1024  # a poll response bigger than this is not a chat page
REQUEST_DEADLINE = 30.0     # seconds for a whole request: connect, headers, body
MAX_JSON_VALUES = 500_000   # real pages spend 20+ bytes a value: an 8 MiB one holds ~400 000 at most

TOKEN_REJECTED = "token rejected — open Settings → Feeds"


def token_rejected(platform: str, what: str) -> str:
    """The one sentence for credentials the platform refused: what to do, in plain words."""
    return f"{platform}: {TOKEN_REJECTED} and enter {what}"


class FeedError(Exception):
    """A failed call. `fatal` stops the connector (`state` says how); otherwise it backs off.

    `retry_after` (seconds) is what the platform said about waiting: it may lengthen the backoff, never
    shorten it, and counts up to `retry_cap` (see `studio.core.backoff.retry_wait`). `hold` is a wait the
    connector chose from its own settings for a known condition (YouTube's daily quota) and is used as
    it is.
    The message is shown to the host: one sentence, masked, no token.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, fatal: bool = False,
                 state: FeedState = FeedState.BACKOFF, hold: float | None = None) -> None:
        super().__init__(mask_text(message))
        self.retry_after = retry_after
        self.hold = hold
        self.fatal = fatal
        self.state = state


# -- pure policies ---------------------------------------------------------------------------------

class RequestBudget:
    """A token bucket: `burst` requests at once, then `rate` a second — so at most burst + 60·rate in
    any minute, whatever a server or a setting asks for. `take(now)` spends a token and returns 0, or
    returns the seconds to wait before one is there (spending nothing)."""

    def __init__(self, burst: float = 40.0, rate: float = 2.0) -> None:
        self.burst, self.rate = burst, rate
        self._tokens = burst
        self._at: float | None = None

    def per_minute(self) -> int:
        return int(self.burst + 60 * self.rate)

    def take(self, now: float) -> float:
        if self._at is not None:
            self._tokens = min(self.burst, self._tokens + max(0.0, now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: a number ("2", "2.0") or an HTTP date. None when absent or invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        secs = float(value)
        return secs if secs >= 0 and secs == secs and secs != float("inf") else None
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if dt is None:
        return None
    return max(0.0, dt.timestamp() - (time.time() if now is None else now))


def parse_time(value: Any) -> float:
    """An ISO 8601 time ("…645000Z", "…+00:00", "-05:00" offsets, any fraction) or epoch seconds/ms → epoch
    seconds. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("not a time")
    if isinstance(value, (int, float, Decimal)):
        try:
            v = float(value)
        except OverflowError:
            raise ValueError("time out of range") from None
        return _in_range(v / 1000.0 if v > 1e11 else v)  # milliseconds
    if not isinstance(value, str) or not value:
        raise ValueError("not a time")
    if len(value) > 64:
        raise ValueError("not a time")
    s = value.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    # Python < 3.11 accepts only 3 or 6 fraction digits: normalise to 6.
    if "." in s:
        head, _, rest = s.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        s = f"{head}.{(digits + '000000')[:6]}{rest}"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        return _in_range(dt.timestamp())
    except OverflowError:
        raise ValueError("time out of range") from None


MAX_EPOCH = 253402300799.0  # 9999-12-31T23:59:59Z: past it `datetime` (reports, logs) cannot show the time


def _in_range(t: float) -> float:
    """Epoch seconds between 1970 and 9999; NaN, infinities and the rest are refused (ValueError)."""
    if not 0.0 <= t <= MAX_EPOCH:  # also False for NaN
        raise ValueError("time out of range")
    return t


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="seconds")


# -- settings --------------------------------------------------------------------------------------

def parse_feed_spec(spec: str) -> tuple[str, dict[str, str]]:
    """`kind[:k=v,k=v]` → (kind, settings). A comma not followed by `key=` belongs to the previous value,
    so URLs with commas survive: `generic:url=http://h/f?a=1,2,api_base=http://x`."""
    kind, _, rest = spec.strip().partition(":")
    kind = kind.strip().lower()
    if not kind:
        raise UserError(f"empty --feed {spec!r}: use demo, youtube:live_chat_id=ID, shopify:shop=NAME, "
                        "twitch:channel=NAME or generic:url=URL")
    settings: dict[str, str] = {}
    last: str | None = None
    for part in rest.split(",") if rest else []:
        key, eq, value = part.partition("=")
        if eq and key.strip().replace("_", "").isalnum() and key.strip() == key.strip().lower():
            last = key.strip()
            settings[last] = value
        elif last is not None:
            settings[last] += "," + part
        else:
            raise UserError(f"--feed {mask_text(spec)!r}: expected key=value after '{kind}:'")
    return kind, settings


def checked_api_base(value: str | None, default: str) -> str:
    """Scheme and host (and port) only; a path, query or credentials in `api_base` is refused."""
    base = (value or default).strip().rstrip("/")
    try:
        parts = urlsplit(base)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise UserError(f"api_base {mask_text(base)!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"api_base must be http(s)://host[:port], got {mask_text(base)!r}")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise UserError(f"api_base replaces only scheme and host; drop the rest of {mask_text(base)!r}")
    return base


def api_base_problem(value: str | None) -> list[str]:
    """`check_options` for `api_base`: its problem as a sentence that says what to write, or none."""
    if not (value or "").strip():
        return []
    try:
        checked_api_base(value, "http://host")
    except UserError as e:
        return [f"{e} — write e.g. api_base=http://127.0.0.1:8080"]
    return []


def json_body(resp: httpx.Response, what: str) -> Any:
    """The parsed JSON body of a 2xx response; anything else becomes a FeedError (transient).

    Platform-specific 4xx handling happens before this; here 429 honours Retry-After, 3xx and 5xx
    back off, and an HTML error page or a truncated body is reported as such.
    """
    status = resp.status_code
    if status == 429:
        ra = parse_retry_after(resp.headers.get("Retry-After"))
        raise FeedError(f"{what}: rate limited (429)" + (f", retry after {ra:g} s" if ra is not None else ""),
                        retry_after=ra)
    if 300 <= status < 400:
        raise FeedError(f"{what}: unexpected redirect ({status}) — check api_base")
    if status >= 500:
        raise FeedError(f"{what}: server error {status}",
                        retry_after=parse_retry_after(resp.headers.get("Retry-After")))
    if status >= 400:
        raise FeedError(f"{what}: HTTP {status}")
    if len(resp.content) > MAX_BODY:
        raise FeedError(f"{what}: response too large ({len(resp.content)} bytes)")
    values = json_values(resp.content)
    if values > MAX_JSON_VALUES:
        raise FeedError(f"{what}: response too large (over {MAX_JSON_VALUES} JSON values)")
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype and "json" not in ctype:
        raise FeedError(f"{what}: expected JSON, got {ctype or 'no content type'}")
    try:
        return resp.json()
    except ValueError as e:
        raise FeedError(f"{what}: malformed JSON ({e.__class__.__name__})") from None
    except RecursionError:
        raise FeedError(f"{what}: malformed JSON (nested too deeply)") from None


def describe_http_error(e: Exception) -> str:
    """One sentence for a failed request; a refused TLS certificate says so (it will not fix itself by
    retrying, and verification is never turned off: the host must fix the server or its address)."""
    cause: BaseException | None = e
    for _ in range(8):  # httpx wraps httpcore's error, which wraps ssl's
        if cause is None:
            break
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (f"TLS certificate not trusted ({cause.verify_message}): check the address; "
                    "verification stays on")
        cause = cause.__cause__ or cause.__context__
    if "CERTIFICATE_VERIFY_FAILED" in str(e):
        return "TLS certificate not trusted: check the address; verification stays on"
    if isinstance(e, httpx.RemoteProtocolError):
        return "network error: the server closed the connection without a complete answer"
    if isinstance(e, httpx.DecodingError):
        return "network error: the server sent a body that cannot be decoded"
    return f"network error: {e.__class__.__name__}"


def error_reason(body: Any) -> tuple[str, str]:
    """(reason, message) from a Google-style `{"error": {"errors": [{"reason"}], "message"}}` body."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        errors = err.get("errors")
        reason = ""
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            reason = str(errors[0].get("reason", ""))
        return reason, str(err.get("message", ""))[:200]
    return "", ""


def json_values(content: bytes) -> int:
    """An upper bound on the values a JSON text holds (its commas and colons, in strings or not): what
    parsing it will cost, known before parsing. A value costs 30–110 bytes once parsed, so 8 MiB of
    `[[],[],…]` would take 180 MiB; MAX_JSON_VALUES keeps a body's parse under about 55 MiB."""
    return content.count(b",") + content.count(b":") + 1


def try_json(resp: httpx.Response) -> Any:
    if json_values(resp.content) > MAX_JSON_VALUES:
        return None
    try:
        return resp.json()
    except (ValueError, RecursionError):
        return None


# -- the connector kinds ---------------------------------------------------------------------------

class Connector(abc.ABC):
    """Base of every connector. Subclasses set `kind`, `title` and `OPTIONS` (every setting `__init__`
    reads, see options.py), take settings in `__init__`, implement `run`.

    `unofficial`: the connector relies on an undocumented platform interface that may break without
    notice. `simulated`: its data is made up (the demo feed) and must never be mistaken for a real show.
    """

    kind = "base"
    title = "base"
    unofficial = False
    simulated = False
    OPTIONS: tuple[Option, ...] = ()
    name = "base"  # the `source` of its events

    @classmethod
    def check_options(cls, options: Mapping[str, str]) -> list[str]:
        """Problems the declarations cannot say (one option against another, an address's shape), as
        sentences; pure — no network, no keyring. Called only when every single value passed its check."""
        return []

    @abc.abstractmethod
    def run(self, emit: Emit, stop: threading.Event) -> None:
        """Emit events until `stop` is set."""

    def close(self) -> None:  # noqa: B027 - optional hook: most connectors have nothing to interrupt
        """Called from another thread on shutdown to interrupt a blocking call; must be idempotent."""


class Stopping(Exception):
    """Raised inside a poll when the stop event is set during one of its waits; `run` just ends."""


class PollingConnector(Connector):
    """A connector that asks the platform again and again. Subclasses implement `poll()`, which emits
    what it found and returns the seconds to wait before the next call, or raises FeedError; every
    request goes through `request()` (or a stream opened with `stream_extensions()` after `pace()`)."""

    backoff = Backoff(first=1.0, factor=2.0, cap=60.0)
    request_deadline = REQUEST_DEADLINE

    def __init__(self) -> None:
        self.client: httpx.Client | None = None
        self._emit: Emit = lambda e: None
        self._stop = threading.Event()
        self.budget = RequestBudget()
        self.sockets = SocketWatch()
        self._paced = False

    def sleep(self, seconds: float) -> bool:
        """Wait inside a poll (between pages); returns True when asked to stop."""
        return self._stop.wait(max(0.0, seconds))

    def configure(self, settings: dict[str, str]) -> None:
        """Settings every polling connector takes (declare `RETRY` and `RETRY_CAP` in `OPTIONS`)."""
        self.backoff = Backoff(first=number_value(settings, RETRY), cap=number_value(settings, RETRY_CAP))

    def make_client(self) -> httpx.Client:
        return make_client()

    def pace(self) -> None:
        """Wait for a token of the request budget (no wait unless the connector asks too often)."""
        while True:
            wait = self.budget.take(time.monotonic())
            if wait <= 0:
                return
            if not self._paced:
                self._paced = True
                log.info("%s: more than %d requests a minute asked for; pacing to %g a second", self.name,
                         self.budget.per_minute(), self.budget.rate)
            if self._stop.wait(wait):
                raise Stopping

    def request(self, method: str, url: str, *, what: str, max_bytes: int | None = None,
                **kw: Any) -> httpx.Response:
        """One paced request, its body read under `max_bytes` (MAX_BODY) within `request_deadline`
        seconds; a body too large or a server too slow becomes a FeedError (a backoff)."""
        client = self.client
        if client is None:
            raise Stopping
        limit = MAX_BODY if max_bytes is None else max_bytes
        self.pace()
        try:
            return fetch(client, method, url, max_bytes=limit, deadline=Deadline(self.request_deadline),
                         watch=self.sockets, **kw)
        except ResponseTooLarge:
            raise FeedError(f"{what}: response too large (over {limit} bytes); not read further") from None
        except DeadlineExceeded:
            raise FeedError(f"{what}: no complete answer within {self.request_deadline:g} s "
                            "(the server is too slow); trying again later") from None

    @abc.abstractmethod
    def poll(self) -> float:
        """Emit what the platform has now; return the seconds to wait before asking again."""

    def state(self, state: FeedState, message: str = "", retry_in: float | None = None) -> None:
        self._emit(ConnectorState(self.name, state, mask_text(message), retry_in))

    def run(self, emit: Emit, stop: threading.Event) -> None:
        self._emit, self._stop = emit, stop
        self.client = self.make_client()
        attempt = 0
        ok_before = False
        self.state(FeedState.CONNECTING)
        try:
            while not stop.is_set():
                try:
                    wait = self.poll()
                    if attempt or not ok_before:
                        self.state(FeedState.RECONNECTED if ok_before or attempt else FeedState.CONNECTED)
                    attempt, ok_before = 0, True
                except Stopping:
                    break
                except FeedError as e:
                    if e.fatal:
                        self.state(e.state, str(e))
                        return
                    if stop.is_set():
                        break
                    wait = retry_wait(attempt, self.backoff, e.retry_after, e.hold)
                    attempt += 1
                    self.state(FeedState.BACKOFF, str(e), round(wait, 3))
                except httpx.TimeoutException:
                    if stop.is_set():
                        break
                    wait = self.backoff.delay(attempt)
                    attempt += 1
                    self.state(FeedState.BACKOFF, "the platform did not answer in time", round(wait, 3))
                except httpx.HTTPError as e:
                    if stop.is_set():
                        break
                    wait = self.backoff.delay(attempt)
                    attempt += 1
                    self.state(FeedState.BACKOFF, describe_http_error(e), round(wait, 3))
                except Exception as e:  # a bug or a shape we did not foresee: report, back off, go on
                    if stop.is_set():
                        break
                    log.error("%s: unexpected %s: %s", self.name, e.__class__.__name__, mask_text(str(e)))
                    wait = self.backoff.delay(attempt)
                    attempt += 1
                    self.state(FeedState.BACKOFF, f"unexpected response ({e.__class__.__name__})",
                               round(wait, 3))
                stop.wait(max(0.0, wait))
        finally:
            self.close()
            self.state(FeedState.STOPPED)

    def close(self) -> None:
        """From any thread: wakes a read blocked on the platform's socket, then closes the client."""
        self.sockets.interrupt()
        c, self.client = self.client, None
        if c is not None:
            with contextlib.suppress(Exception):
                c.close()
