"""Secrets: stream keys and tokens live in the OS keyring or the environment, and are masked in every text.

`mask_text` is applied by the log filter, the status line and every user-facing error, so a key that
reaches a message by accident is still never shown.
"""

from __future__ import annotations

import os
import re
import threading

KEYRING_SERVICE = "anchor-studio"
MASK = "****"

# rtmp[s]://host[:port]/app/<key>: everything after the app segment is the key (query included).
# Any rtmp-like scheme counts, typos included (`rtmpx://`, `rmtp://`, `rtmp+tls://`): the error that
# rejects a mistyped destination quotes it, and the key in it is as real as in a good one.
_STREAM_URL = re.compile(
    r"(?P<head>\b(?:[a-z+.-]*r(?:tm|mt)p[a-z0-9+.-]*|srt)://[^/\s]+/[^/\s?]+/)(?P<key>[^\s'\"]+)",
    re.IGNORECASE)
# Tokens in query strings and headers: key=..., token=..., access_token=..., api_key=...
_QUERY_SECRET = re.compile(
    r"(?P<head>\b(?:key|token|access_token|api_key|apikey|secret|password|streamkey|stream_key)=)(?P<key>[^&\s'\"]+)",
    re.IGNORECASE,
)

_registered: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so that it is masked wherever it appears, even outside a URL.

    Values shorter than 8 characters are not registered: no platform issues keys that short, and a
    short one ("live", "test") would mask ordinary words in every message. They are still masked
    inside a stream URL."""
    if value and len(value) >= 8:
        with _lock:
            _registered.add(value)


def mask_text(text: str) -> str:
    """Return `text` with stream keys, tokens and every registered secret replaced by ****."""
    if not text:
        return text
    text = _STREAM_URL.sub(lambda m: m.group("head") + MASK, text)
    text = _QUERY_SECRET.sub(lambda m: m.group("head") + MASK, text)
    with _lock:
        secrets = sorted(_registered, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, MASK)
    return text


# A destination as the host typed it, whatever its scheme (http://, rtmp:/ with one slash, none at all):
# past host/app/ it is the key; with no app (rtmp://host/KEY) a long lone segment is taken for one.
_ANY_DESTINATION = re.compile(r"^(?P<head>\s*(?:[^\s/:]*:?/+)?[^/\s]+/[^/\s?]+/)(?P<key>\S+)")
_LONE_SEGMENT = re.compile(r"^(?P<head>\s*(?:[^\s/:]*:?/+)?[^/\s]+/)(?P<key>[^/\s]{8,})\s*$")


def mask_url(url: str) -> str:
    """A destination URL shown masked: `rtmp://host/app/key` → `rtmp://host/app/****`, and so for any
    scheme, valid URL or not (the error that rejects `http://host/app/KEY`, `rtmp:/host/app/KEY` or
    `rtmp://host/KEY` quotes it)."""
    text = mask_text(url)
    masked = _ANY_DESTINATION.sub(lambda m: m.group("head") + MASK, text)
    if masked == text:
        masked = _LONE_SEGMENT.sub(lambda m: m.group("head") + MASK, text)
    return masked


def stream_key_of(url: str) -> str | None:
    m = _STREAM_URL.search(url)
    return m.group("key") if m else None


def get_secret(name: str, env_var: str | None = None) -> str | None:
    """Look a secret up in the environment first (headless use), then in the OS keyring."""
    if env_var and os.environ.get(env_var):
        from_env = os.environ[env_var]
        register_secret(from_env)
        return from_env
    value: str | None
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(KEYRING_SERVICE, name)
        except KeyringError:
            value = None
    except Exception:  # no usable backend on a bare server: the environment is the way there
        value = None
    register_secret(value)
    return value


# `${ENV_VAR}` or `${keyring:NAME}`; keyring names may hold colons (`destination:3f2a…`, as studio 0.1
# named them), environment variable names may not.
SECRET_REF = re.compile(r"\$\{(?:(?P<keyring>keyring):(?P<kname>[A-Za-z_][A-Za-z0-9_.:-]*)"
                        r"|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*))\}")
_REF = SECRET_REF


def expand_secret_refs(text: str) -> str:
    """Replace `${ENV_VAR}` and `${keyring:NAME}` in `text` (a destination URL) by the secret, so a
    stream key never has to be typed on a command line, where other users can read it (`ps`)."""

    def sub(m: re.Match[str]) -> str:
        name = m.group("kname") or m.group("name")
        value = get_secret(name) if m.group("keyring") else os.environ.get(name)
        if not value:
            from studio.core.errors import UserError

            where = (f"the OS keyring entry '{name}'" if m.group("keyring")
                     else f"the environment variable {name}")
            raise UserError(f"{m.group(0)} is empty: put the stream key in {where}")
        register_secret(value)
        return value

    return _REF.sub(sub, text)


def set_secret(name: str, value: str) -> None:
    import keyring

    register_secret(value)
    keyring.set_password(KEYRING_SERVICE, name, value)
