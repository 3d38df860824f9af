"""Connector registry: feed kind → class, one module per platform.

Every connector declares its options (options.py); this module checks a feed's options against that
declaration and builds the connector. The Settings → Feeds form and the show-profile loader call
`connector_types()` and `check_feed_options()`; the `--feed kind:k=v,…` strings go through `build()`.
There is no default feed: the simulated demo feed runs only when asked for, so made-up numbers can never
pass for a real show's.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from studio.core.errors import UserError
from studio.core.secrets import mask_text
from studio.live.connectors.base import Connector, parse_feed_spec
from studio.live.connectors.bilibili import BilibiliDanmaku
from studio.live.connectors.demo import DemoFeed
from studio.live.connectors.generic import GenericFeed
from studio.live.connectors.options import Option, check_option
from studio.live.connectors.shopify import ShopifyOrders
from studio.live.connectors.tiktok import TikTokChat
from studio.live.connectors.twitch import TwitchChat
from studio.live.connectors.youtube import YouTubeChat

# In the order the form lists them: real platforms first, the simulation last. TikTok and Bilibili are
# unofficial (their libraries are the optional `rooms` extra, imported only when they run).
REGISTRY: dict[str, type[Connector]] = {
    c.kind: c for c in (YouTubeChat, ShopifyOrders, TwitchChat, TikTokChat, BilibiliDanmaku, GenericFeed,
                        DemoFeed)
}

__all__ = ["REGISTRY", "Connector", "Option", "build", "build_all", "build_feed", "check_feed_options",
           "connector_types"]


def connector_types() -> dict[str, type[Connector]]:
    """kind → connector class, in the order the form lists them."""
    return dict(REGISTRY)


def _unknown_kind(kind: str) -> str:
    near = difflib.get_close_matches(kind, list(REGISTRY), n=1, cutoff=0.6)
    hint = f"did you mean '{near[0]}'? " if near else ""
    return f"unknown feed kind {mask_text(kind)[:40]!r} — {hint}use one of {', '.join(REGISTRY)}"


def _problems(kind: str, options: Mapping[str, str], literal_secret_ok: bool) -> list[str]:
    cls = REGISTRY.get(kind.strip().lower())
    if cls is None:
        return [_unknown_kind(kind)]
    declared = {o.name: o for o in cls.OPTIONS}
    problems = []
    for key in options:
        if key not in declared:
            near = difflib.get_close_matches(key, list(declared), n=1, cutoff=0.6)
            shown = mask_text(str(key))[:40]
            problems.append(f"no option '{shown}' — did you mean '{near[0]}'?" if near else
                            f"no option '{shown}' — the options are {', '.join(declared)}")
    for opt in cls.OPTIONS:
        problem = check_option(opt, options.get(opt.name), literal_secret_ok=literal_secret_ok)
        if problem:
            problems.append(problem)
    if not problems:
        problems.extend(cls.check_options(options))
    return problems


def check_feed_options(kind: str, options: Mapping[str, str], *, literal_secrets: bool = False) -> list[str]:
    """Every problem with a feed's options, one sentence each (empty when it would build). Pure: it
    builds nothing and touches neither the network nor the keyring. A secret option must hold a
    reference (`${keyring:NAME}` or `${ENV_VAR}`): a profile never stores the secret itself. The
    command line passes `literal_secrets=True` (a literal token there still works; it is registered
    for masking either way)."""
    return _problems(kind, options, literal_secret_ok=literal_secrets)


def build_feed(kind: str, options: Mapping[str, str]) -> Connector:
    """The connector of `kind` with `options`; a UserError naming the feed, the option and what to write
    when the kind, an option's name or an option's value is wrong. A secret given as a literal is accepted
    (the command line) and registered for masking."""
    kind = kind.strip().lower()
    problems = _problems(kind, options, literal_secret_ok=True)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise UserError(f"{kind} feed: {problems[0]}{more}" if kind in REGISTRY else problems[0])
    try:
        return REGISTRY[kind](dict(options))  # type: ignore[call-arg]
    except UserError as e:
        message = str(e)
        raise UserError(message if f"{kind} feed" in message else f"{kind} feed: {message}") from None


def build(spec: str) -> Connector:
    """The connector of one `--feed kind:k=v,…` string."""
    kind, settings = parse_feed_spec(spec)
    return build_feed(kind, settings)


def build_all(specs: list[str] | None) -> list[Connector]:
    """Connectors for the `--feed` specs — none when there are none (the demo runs only when asked for);
    names made unique per show."""
    out = [build(s) for s in (specs or [])]
    seen: dict[str, int] = {}
    for c in out:
        n = seen.get(c.name, 0) + 1
        seen[c.name] = n
        if n > 1:
            c.name = f"{c.name}#{n}"
    return out
