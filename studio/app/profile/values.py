"""Reading one profile value: its type, its domain's rules, and the one line that says what is wrong
and what to write instead (`Reader` collects them as `Problem`s with their line)."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from studio.app.profile.lines import Key
from studio.app.profile.model import (
    MAX_SIDE,
)
from studio.core.errors import UserError
from studio.core.secrets import mask_text

MAX_TEXT = 2000              # any one text value
_COLOR = re.compile(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?")
DOCS = "docs/profile.md"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


# -- collecting problems --------------------------------------------------------------------------

class Reader:
    """Collects problems while reading one file's tables."""

    def __init__(self, file: str, lines: dict[Key, int]) -> None:
        self.file, self.lines = file, lines
        self.problems: list[Problem] = []
        self._seen: set[Problem] = set()

    def line(self, *path: Any) -> int:
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def problem(self, path: Key, message: str) -> None:
        p = Problem(self.file, self.line(*path), message)
        if p not in self._seen:
            self._seen.add(p)
            self.problems.append(p)

    def unknown(self, table: dict[str, Any], path: Key, known: list[str], what: str,
                where: str | None = None) -> None:
        for key in table:
            if key not in known:
                self.problem((*path, key), f"unknown key {show_value(key)} in {where or table_name(path)} — "
                                           f"{near_hint(key, known, what)}")

    def value(self, table: dict[str, Any], path: Key, key: str, kind: str, default: Any,
              check: Callable[[Any], str | None] | None = None, example: str | None = None) -> Any:
        """table[key] as `kind` (int, opt_int, number, bool, text, texts, ints4); `default` when it is
        absent, or bad (then a problem says why). `check` returns "is … — write …" for a bad value."""
        if key not in table:
            return default
        raw = table[key]
        got, why = _convert(raw, kind)
        where = table_name(path)
        if why == "type":
            self.problem((*path, key), f"'{key}' in {where} must be {_KIND_WORDS[kind]}, "
                                       f"not {show_value(raw)} "
                                       f"— write e.g. {key} = {example or _example(kind, default)}")
            return default
        if why:
            self.problem((*path, key), f"'{key}' in {where} {why}")
            return default
        if check is not None:
            bad = check(got)
            if bad:
                self.problem((*path, key), f"'{key}' {show_value(raw)} in {where} {bad}")
                return default
        return got


def near_hint(key: str, known: Iterable[str], what: str) -> str:
    known = list(known)
    near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"did you mean '{near[0]}'?" if near else f"{what} takes {', '.join(known)}"


_KIND_WORDS = {"int": "a whole number", "opt_int": "a whole number", "number": "a number",
               "bool": "true or false", "text": "text in quotes", "texts": "a list of texts in quotes",
               "ints4": "[left, top, right, bottom] in whole pixels"}


def text_problem(v: str) -> str | None:
    if len(v) > MAX_TEXT:
        return f"is too long ({len(v)} characters, at most {MAX_TEXT}) — shorten it"
    if "\x00" in v:
        return "holds a NUL character (\\u0000) — remove it"
    return None


def _convert(raw: Any, kind: str) -> tuple[Any, str | None]:
    """(value, None); (None, "type") for a value of the wrong type; (None, "is … — …") otherwise."""
    if kind in ("int", "opt_int"):
        ok = isinstance(raw, int) and not isinstance(raw, bool)
        return (raw, None) if ok else (None, "type")
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            return None, "type"
        if not math.isfinite(raw):
            return None, "type"
        return float(raw), None
    if kind == "bool":
        return (raw, None) if isinstance(raw, bool) else (None, "type")
    if kind == "text":
        if not isinstance(raw, str):
            return None, "type"
        return (None, why) if (why := text_problem(raw)) else (raw, None)
    if kind == "texts":
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            return None, "type"
        for v in raw:
            if why := text_problem(v):
                return None, f"has a text that {why}"
        return tuple(raw), None
    if kind == "ints4":
        if not (isinstance(raw, list) and len(raw) == 4
                and all(isinstance(v, int) and not isinstance(v, bool) for v in raw)):
            return None, "type"
        return tuple(raw), None
    raise AssertionError(kind)


def _example(kind: str, default: Any) -> str:
    if kind == "text":
        return f'"{default}"' if default else '"…"'
    if kind == "bool":
        return "true" if default else "false"
    if kind == "texts":
        return '["…"]'
    if kind == "ints4":
        return "[0, 0, 0, 0]"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default) if default is not None else "100"


_URL_TAIL = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s]+/[^/\s?]+/)[^\s'\"]+", re.IGNORECASE)


def show_value(value: object, depth: int = 0) -> str:
    """A value as the host wrote it in TOML, at most about 40 characters (never a deep recursion)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        digits = len(str(abs(value))) if abs(value) < 10**60 else 61
        return str(value) if digits <= 40 else "a number of more than 40 digits"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        text = value.isoformat()
    elif isinstance(value, dict):
        return "a table" if depth == 0 else "{…}"
    elif isinstance(value, list):
        if depth > 0:
            return "[…]"
        text = "[" + ", ".join(show_value(v, 1) for v in value[:8]) + (", …" if len(value) > 8 else "") + "]"
    elif isinstance(value, str):
        text = repr(_URL_TAIL.sub(r"\1****", mask_text(value[:200])))
    else:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def table_name(path: Key) -> str:
    if not path:
        return "the profile"
    if len(path) >= 2 and isinstance(path[1], int):
        return f"[[{path[0]}]] {path[1] + 1}"
    return f"[{'.'.join(str(p) for p in path)}]"


def article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


# -- checks: each returns "is … — write …" or None ----------------------------------------------------

def check_side(key: str, good: int) -> Callable[[int], str | None]:
    return lambda v: None if 16 <= v <= MAX_SIDE and v % 2 == 0 else (
        f"is not an even number from 16 to {MAX_SIDE} — write e.g. {key} = {good}")


def check_dim(v: int) -> str | None:
    return None if 2 <= v <= MAX_SIDE else (
        f"is out of range — use 2 to {MAX_SIDE}, or leave it out for the full size")


def check_crop(v: tuple[int, ...]) -> str | None:
    return None if all(0 <= side <= MAX_SIDE for side in v) else (
        f"is out of range — use 0 to {MAX_SIDE} pixels for each side")


def check_pos(v: int) -> str | None:
    return None if -MAX_SIDE <= v <= MAX_SIDE else f"is out of range — use -{MAX_SIDE} to {MAX_SIDE}"


def check_between(lo: float, hi: float, unit: str = "") -> Callable[[float], str | None]:
    return lambda v: None if lo <= v <= hi else f"is out of range — use {lo:g} to {hi:g}{unit}"


def check_one_of(choices: Iterable[str], what: str) -> Callable[[str], str | None]:
    options = tuple(choices)

    def check(v: str) -> str | None:
        if v in options:
            return None
        near = difflib.get_close_matches(v, options, n=1, cutoff=0.6)
        listed = ", ".join(options)
        hint = f"did you mean '{near[0]}'? ({listed})" if near else f"use one of {listed}"
        return f"is not {article(what)} — {hint}"

    return check


def check_rtmp_url(v: str) -> str | None:
    from urllib.parse import urlsplit

    if not v:
        return None
    try:
        good = urlsplit(v).scheme.lower() in ("rtmp", "rtmps") and bool(urlsplit(v).hostname)
    except ValueError:
        good = False
    return None if good else ("is not an rtmp:// or rtmps:// address — write e.g. "
                              'url = "rtmps://a.rtmps.youtube.com/live2/${keyring:youtube-main}"')


def check_web_url(key: str) -> Callable[[str], str | None]:
    def check(v: str) -> str | None:
        if not v or re.match(r"https?://[^/\s]+", v):
            return None
        return f'is not an http(s):// address — write e.g. {key} = "https://shop.example.com"'

    return check


def check_mmss(v: str) -> str | None:
    from studio.commerce.overlays.countdown import parse_mmss

    if not v:
        return None
    try:
        parse_mmss(v)
    except ValueError as e:
        if "longer" in str(e):
            return 'is longer than 99:59 — write at most countdown = "99:59"'
        return 'is not minutes:seconds — write e.g. countdown = "05:00"'
    return None


def check_qr(v: str) -> str | None:
    if v in ("auto", "product", "off") or re.match(r"https?://[^/\s]+", v):
        return None
    return ('is not a QR target — write qr = "auto" (the pinned product\'s link where the platforms allow '
            'it), qr = "product", qr = "off", or a link such as qr = "https://shop.example.com"')


def check_color(key: str) -> Callable[[str], str | None]:
    def check(v: str) -> str | None:
        if not v or _COLOR.fullmatch(v):
            return None
        return f'is not a colour — write "#rrggbb" or "#rrggbbaa", e.g. {key} = "#ffffff"'

    return check


def check_currency(v: str) -> str | None:
    return None if not v or re.fullmatch(r"[A-Z]{3}", v) else (
        'is not an ISO 4217 code — write three capitals, e.g. currency = "CNY"')


@functools.lru_cache(maxsize=1)
def _preset_ids() -> tuple[str, ...]:
    from studio.app.presets import load_presets

    try:
        return tuple(p.id for p in load_presets())
    except UserError:  # no presets file (a broken install): any preset is accepted
        return ()


def check_preset(v: str) -> str | None:
    ids = _preset_ids()
    return None if not ids or v in ids else check_one_of(ids, "platform preset")(v)
