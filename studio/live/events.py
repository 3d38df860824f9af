"""Typed events of the live layer: what connectors emit and what the counters and session log consume.

Times are wall-clock epoch seconds (float), like `studio.core.events`: orders carry the platform's
creation time, which is a wall-clock time, and pins are compared against it. Money is `Decimal`,
never float. Events are frozen and hold only plain data, so they cross threads freely.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class ChatMessage:
    """One chat line. `kind` is "text" or "superchat" (a paid message: `amount` + `currency`)."""

    source: str   # connector name, e.g. "youtube", "twitch:channel", "demo"
    id: str       # platform message id (dedupe key together with `source`)
    author: str
    text: str
    at: float = field(default_factory=_now)
    kind: str = "text"
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class LineItem:
    sku: str            # "" when the platform has none (custom item, deleted variant)
    qty: int
    price: Decimal      # unit price, in the order's currency
    title: str = ""


@dataclass(frozen=True)
class Order:
    """A placed order. Counted once per (`source`, `id`) whatever the replays."""

    source: str
    id: str
    created_at: float
    currency: str
    items: tuple[LineItem, ...]
    total: Decimal


@dataclass(frozen=True)
class Refund:
    """Money given back on an order: its own event, never a negative order. GMV stays what was placed;
    the report shows refunds apart (count and amount per currency). `id` is the platform's refund id
    when it has one (the de-duplication key with `source` and `order_id`)."""

    source: str
    order_id: str
    amount: Decimal
    currency: str
    at: float = field(default_factory=_now)
    id: str = ""


@dataclass(frozen=True)
class Cancellation:
    """An order cancelled: counted apart, like a refund; the order's GMV is not taken back."""

    source: str
    order_id: str
    at: float = field(default_factory=_now)


@dataclass(frozen=True)
class ViewerCount:
    source: str
    count: int
    at: float = field(default_factory=_now)


class FeedState(str, Enum):
    """What a connector is doing: `ConnectorState.state`. A `str`, so it equals its plain value
    (`FeedState.BACKOFF == "backoff"`), which is also what `json.dumps`, `str()` and f-strings write:
    session logs keep the words they always had."""

    CONNECTING = "connecting"
    CONNECTED = "connected"      # first good response / joined
    RECONNECTED = "reconnected"  # good again after an error
    BACKOFF = "backoff"          # an error happened; waiting `retry_in` seconds before trying again
    ENDED = "ended"              # the platform says the show/chat is over; the connector stops
    FAILED = "failed"            # a permanent error (bad id, no permission); the connector stops
    STOPPED = "stopped"          # stopped by us

    def __str__(self) -> str:  # the value, as in a `StrEnum` (Python 3.11 would give "FeedState.X")
        return str(self.value)

    @classmethod
    def of(cls, value: object) -> FeedState | None:
        """The member whose value is `value` (a state read back from a session log), or None."""
        try:
            return cls(value)
        except ValueError:
            return None




@dataclass(frozen=True)
class ConnectorState:
    """A connector's health. `message` is one masked sentence for the host; never a token. `state` is
    always a `FeedState`: its plain value ("backoff") is taken too, anything else is a ValueError here,
    where the wrong state is made, not later where it is logged."""

    source: str
    state: FeedState
    message: str = ""
    retry_in: float | None = None
    at: float = field(default_factory=_now)

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", FeedState(self.state))


LiveEvent = ChatMessage | Order | ViewerCount | ConnectorState | Refund | Cancellation
