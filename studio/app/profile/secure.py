"""Secrets out of a spec before it is written: a stream key or token typed as a literal goes to the OS
keyring and the spec keeps a `${keyring:NAME}` reference in its place. Without a keyring (a bare
Linux kiosk) nothing is written and the host is told to use an environment variable instead."""

from __future__ import annotations

import re
from dataclasses import replace

from studio.app.profile.load import literal_key
from studio.app.profile.model import ShowSpec
from studio.core.errors import UserError
from studio.core.secrets import set_secret

_REF = re.compile(r"^\$\{[^}]+\}$")


def _slug(text: str) -> str:
    """A keyring-safe piece of a name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:40] or "key"


KEYRING_PREFIX = "feed."


def keyring_entry(feed_kind: str, feed_name: str, option: str) -> str:
    """The keyring entry a feed's secret is stored under, `feed.KIND.NAME.OPTION`, whether the window's
    Feeds page or `--save-profile` stores it: stable for a feed and option (the page adds -2, -3… when
    two feeds of one show would share one)."""
    return f"{KEYRING_PREFIX}{_slug(feed_kind)}.{_slug(feed_name or feed_kind)}.{_slug(option)}"


def is_reference(value: str) -> bool:
    return bool(_REF.match(value.strip()))


def _store(name: str, value: str, what: str, env_hint: str) -> str:
    try:
        set_secret(name, value)
    except Exception as e:  # noqa: BLE001 - keyring backends raise their own types; all mean "not here"
        raise UserError(f"{what} cannot be kept in the OS keyring here ({e.__class__.__name__}); the "
                        f"profile is not written — put it in an environment variable and write "
                        f"{env_hint}") from None
    return f"${{keyring:{name}}}"


def secure_secrets(spec: ShowSpec) -> ShowSpec:
    """`spec` with every literal secret moved to the keyring (UserError when there is no keyring)."""
    from studio.live.connectors import connector_types

    dests = []
    for d in spec.destinations:
        key = literal_key(d.url)
        if key:
            ref = _store(f"destination:{_slug(d.name)}", key, f"the stream key of {d.name!r}",
                         "${STREAM_KEY} in its place")
            d = replace(d, url=d.url.replace(key, ref, 1))
        dests.append(d)
    feeds = []
    types = connector_types()
    for f in spec.feeds:
        cls = types.get(f.kind)
        secret = {o.name: o for o in getattr(cls, "OPTIONS", ()) if o.secret}
        options = []
        for k, v in f.options:
            if k in secret and v and not is_reference(v):
                env = secret[k].env_var or "STUDIO_TOKEN"
                label = f.name or f.kind
                v = _store(keyring_entry(f.kind, f.name, k), v, f"the {k} of feed {label!r}",
                           f"{k}=${{{env}}}")
            options.append((k, v))
        feeds.append(replace(f, options=tuple(options)))
    return replace(spec, destinations=tuple(dests), feeds=tuple(feeds))
