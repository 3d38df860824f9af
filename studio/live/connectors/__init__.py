"""Connector registry: `--feed` kind → class. One module per platform."""

from __future__ import annotations

from studio.core.errors import UserError
from studio.live.connectors.base import Connector, parse_feed_spec
from studio.live.connectors.demo import DemoFeed
from studio.live.connectors.generic import GenericFeed
from studio.live.connectors.shopify import ShopifyOrders
from studio.live.connectors.twitch import TwitchChat
from studio.live.connectors.youtube import YouTubeChat

REGISTRY: dict[str, type[Connector]] = {
    "demo": DemoFeed, "youtube": YouTubeChat, "shopify": ShopifyOrders, "twitch": TwitchChat,
    "generic": GenericFeed,
}


def build(spec: str) -> Connector:
    kind, settings = parse_feed_spec(spec)
    cls = REGISTRY.get(kind)
    if cls is None:
        raise UserError(f"unknown feed {kind!r}: use one of {', '.join(sorted(REGISTRY))}")
    return cls(settings)  # type: ignore[call-arg]


def build_all(specs: list[str] | None) -> list[Connector]:
    """Connectors for the `--feed` specs (the demo feed when none); names made unique per show."""
    out = [build(s) for s in (specs or ["demo"])]
    seen: dict[str, int] = {}
    for c in out:
        n = seen.get(c.name, 0) + 1
        seen[c.name] = n
        if n > 1:
            c.name = f"{c.name}#{n}"
    return out
