"""What a connector can be told: a declaration per option, and the one validator for all of them.

Every connector class lists its settings in `OPTIONS` (a tuple of `Option`). That declaration is the
single source of truth for:

* the Settings → Feeds form, generated from it (label, tooltip, kind of field, Advanced section), so a
  new connector needs no UI code;
* the show-profile loader and the form, which call `check_option` (through
  `connectors.check_feed_options`) without building anything or touching the network or the keyring;
* the connector's constructor, which reads each value through `text_value` / `number_value` / … and
  so gets the declared default, range and error message.

Secret options (tokens, keys) hold a *reference* in a profile: `${keyring:NAME}` (an entry of the OS
keyring, service "anchor-studio") or `${ENV_VAR}`. On the command line a literal still works; it is
registered for masking at once so that it never reaches a log. When the option is absent the
connector looks in the environment variable `env_var`, then the keyring entry `keyring_name`.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from studio.core.errors import UserError
from studio.core.secrets import SECRET_REF, expand_secret_refs, get_secret, register_secret

KINDS = ("text", "url", "number", "int", "bool", "choice")
TRUE = ("true", "yes", "on", "1")
FALSE = ("false", "no", "off", "0")
MAX_VALUE = 4096  # no option is longer: a URL, a token, a chat id

# A whole value that is one reference: `${keyring:NAME}` or `${ENV_VAR}`.


@dataclass(frozen=True)
class Option:
    """One setting of a connector, as the form shows it and the profile stores it.

    `kind` decides the field and the check: "text" (`pattern`, a regular expression the whole stripped
    value must match, when set), "url" (scheme://host…; `choices` are the allowed schemes, http and
    https when empty), "number" and "int" (between `minimum` and `maximum`), "bool" (true/false), "choice"
    (one of `choices`). `default` is the value used when the option is absent, written as text.
    `placeholder` is what the form greys into an empty field and what an error tells the host to
    write (`shop=NAME`).
    """

    name: str                 # the key in a feed spec / profile [[feed]] table, e.g. "live_chat_id"
    kind: str                 # "text" | "url" | "number" | "int" | "bool" | "choice"
    label: str                # short English label for the form, e.g. "Live chat ID"
    help: str = ""            # one sentence for a tooltip: where to find the value
    required: bool = False
    secret: bool = False      # a token/key: its VALUE in a profile is a reference, never the secret itself
    default: str | None = None
    choices: tuple[str, ...] = ()
    advanced: bool = False    # test/tuning knobs (api_base, min_interval...) the form hides under "Advanced"
    keyring_name: str = ""    # for secret options: the default keyring entry name (e.g. "youtube_token")
    env_var: str = ""         # ... and the environment variable looked at first
    minimum: float | None = None
    maximum: float | None = None
    pattern: str = ""
    placeholder: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"option {self.name}: unknown kind {self.kind!r}")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"option {self.name}: a choice needs choices")
        if self.secret and not (self.keyring_name and self.env_var):
            raise ValueError(f"option {self.name}: a secret needs keyring_name and env_var")

    @property
    def reference(self) -> str:
        """What a profile stores for this secret by default: `${keyring:NAME}`."""
        return f"${{keyring:{self.keyring_name}}}" if self.secret else ""

    def example(self) -> str:
        """A value to show in "write name=…": the placeholder, the default, or a word for the kind."""
        if self.secret:
            return self.reference
        if self.placeholder:
            return self.placeholder
        if self.default not in (None, ""):
            return str(self.default)
        return {"url": "https://host/path", "number": "1", "int": "1", "bool": "true",
                "choice": self.choices[0] if self.choices else "", "text": "VALUE"}[self.kind]


def fmt_number(v: float | None) -> str:
    """A bound as a host reads it: 2592000, not 2.592e+06; "" for None."""
    if v is None:
        return ""
    if isinstance(v, int) or float(v).is_integer():
        return str(int(v))
    return f"{v:g}"


def _range(opt: Option) -> str:
    lo, hi = fmt_number(opt.minimum), fmt_number(opt.maximum)
    if lo and hi:
        return f" from {lo} to {hi}"
    if lo:
        return f" of at least {lo}"
    return f" of at most {hi}" if hi else ""


def _show(raw: str) -> str:
    text = raw if len(raw) <= 40 else raw[:39] + "…"
    return repr(text)


def _hint(opt: Option) -> str:
    """The help sentence as a clause: " — the NAME of NAME.myshopify.com"."""
    h = opt.help.strip().rstrip(".")
    if not h:
        return ""
    if len(h) > 1 and h[0].isupper() and h[1].islower():
        h = h[0].lower() + h[1:]
    return f" — {h}"


def is_secret_ref(value: str) -> bool:
    return SECRET_REF.fullmatch(value.strip()) is not None


def check_option(opt: Option, raw: str | None, literal_secret_ok: bool = False) -> str | None:
    """The problem with `raw` as the value of `opt`, as one sentence, or None when it is fine.

    Pure: no network, no keyring. A secret's value is never quoted. A literal secret (not a reference)
    is a problem unless `literal_secret_ok` (the command line); it is registered for masking either way.
    """
    if raw is None or not str(raw).strip():
        if opt.required:
            return f"'{opt.name}' is required: write {opt.name}={opt.example()}{_hint(opt)}"
        return None
    text = str(raw).strip()
    if opt.secret:
        if is_secret_ref(text):
            return None
        register_secret(text)
        if literal_secret_ok:
            return None
        return (f"{opt.name} must be a reference, not the secret itself — store it in Settings → Feeds (the "
                f"keyring) and write {opt.name}={opt.reference} or {opt.name}=${{{opt.env_var}}}")
    if len(text) > MAX_VALUE:
        return f"'{opt.name}' is too long ({len(text)} characters; at most {MAX_VALUE})"
    if opt.kind == "number":
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or (opt.minimum is not None and value < opt.minimum) or (
                opt.maximum is not None and value > opt.maximum):
            return (f"{opt.name}={_show(text)} must be a number{_range(opt)} — write e.g. "
                    f"{opt.name}={opt.example()}")
    elif opt.kind == "int":
        ok = text.isascii() and text.isdigit() and len(text) <= 20
        if not ok or (opt.minimum is not None and int(text) < opt.minimum) or (
                opt.maximum is not None and int(text) > opt.maximum):
            return (f"{opt.name}={_show(text)} must be a whole number{_range(opt)} — write e.g. "
                    f"{opt.name}={opt.example()}")
    elif opt.kind == "bool":
        if text.lower() not in TRUE + FALSE:
            return f"{opt.name}={_show(text)} must be true or false — write e.g. {opt.name}=true"
    elif opt.kind == "choice":
        if text not in opt.choices:
            return (f"{opt.name}={_show(text)} must be {' or '.join(opt.choices)} — write e.g. "
                    f"{opt.name}={opt.example()}")
    elif opt.kind == "url":
        schemes = opt.choices or ("http", "https")
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
            good = parts.scheme in schemes and bool(parts.hostname)
        except ValueError:
            good = False
        if not good:
            return (f"{opt.name}={_show(text)} is not a {'/'.join(schemes)} address — write e.g. "
                    f"{opt.name}={opt.example()}")
    elif opt.pattern and not re.fullmatch(opt.pattern, text):
        return f"{opt.name}={_show(text)} is not valid: write {opt.name}={opt.example()}{_hint(opt)}"
    return None


# -- reading a value in a constructor: the declared default, the same checks -----------------------

def _raw(settings: Mapping[str, str], opt: Option) -> str | None:
    raw = settings.get(opt.name)
    if raw is None or not str(raw).strip():
        return opt.default
    return str(raw)


def _checked(settings: Mapping[str, str], opt: Option) -> str | None:
    raw = _raw(settings, opt)
    problem = check_option(opt, raw, literal_secret_ok=True)
    if problem:
        raise UserError(problem)
    return None if raw is None else raw.strip()


def text_value(settings: Mapping[str, str], opt: Option) -> str:
    """A text, url or choice option, stripped; "" when absent without a default."""
    return _checked(settings, opt) or ""


def number_value(settings: Mapping[str, str], opt: Option) -> float:
    value = _checked(settings, opt)
    if value is None:
        raise UserError(f"'{opt.name}' is required: write {opt.name}={opt.example()}{_hint(opt)}")
    return float(value)


def int_value(settings: Mapping[str, str], opt: Option) -> int | None:
    """A whole-number option; None when absent and without a default."""
    value = _checked(settings, opt)
    return None if value is None else int(value)


def bool_value(settings: Mapping[str, str], opt: Option) -> bool:
    value = _checked(settings, opt)
    return value is not None and value.lower() in TRUE


def secret_value(settings: Mapping[str, str], opt: Option) -> str | None:
    """The secret for `opt`: its reference expanded, its literal (registered for masking), or — when the
    option is absent — the environment variable `env_var`, then the keyring entry `keyring_name`."""
    raw = settings.get(opt.name)
    if raw is None or not str(raw).strip():
        return get_secret(opt.keyring_name, opt.env_var)
    text = str(raw).strip()
    m = SECRET_REF.fullmatch(text)
    if m is None:
        register_secret(text)
        return text
    try:
        value = expand_secret_refs(text)
    except UserError:
        where = (f"the OS keyring entry '{m.group('kname')}' (Settings → Feeds stores it there)"
                 if m.group("keyring") else f"the environment variable {m.group('name')}")
        raise UserError(f"{opt.name}={text} is empty: put the {opt.label.lower()} in {where}") from None
    return value or None


def env_or_none(name: str) -> str | None:
    """An environment variable's value, registered for masking; None when unset or empty."""
    value = os.environ.get(name) or None
    register_secret(value)
    return value


# -- options every connector shares ------------------------------------------------------------------

def name_option(kind: str) -> Option:
    return Option("name", "text", "Name", help="The source name in the session log and the report, to tell "
                  "two feeds of the same kind apart.", default=kind, pattern=r"[^\x00-\x1f,]{1,64}")


RETRY = Option("retry", "number", "First retry after (s)", default="1", minimum=0, maximum=3600,
               advanced=True,
               help="Seconds to wait after the first failure; the wait doubles after each further "
                    "failure.")
RETRY_CAP = Option("retry_cap", "number", "Longest retry wait (s)", default="60", minimum=0, maximum=86400,
                   advanced=True, help="The retry wait never grows past this.")
