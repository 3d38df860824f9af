"""Where each key of a profile is written: a line index over the text, for `FILE:LINE` problems.

tomllib gives values, not positions, and tomlkit keeps layout but not line numbers, so this small
scanner finds them. It runs only over text tomllib has accepted, so it can be lenient; it knows
headers, dotted and quoted keys, multi-line strings and arrays, inline tables and the elements of
arrays of inline tables.
"""

from __future__ import annotations

import re
from typing import Any

Key = tuple[Any, ...]


# -- where keys are: a line index over the text ---------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+)
  | (?P<nl>\n)
  | (?P<comment>\#[^\n]*)
  | (?P<mls>\"\"\"(?:[^"\\]|\\.|"(?!""))*+\"\"\"(?:""|")?)
  | (?P<bs>"(?:[^"\\\n]|\\.)*+"?)
  | (?P<mll>'''(?:[^']|'(?!''))*+'''(?:''|')?)
  | (?P<ls>'[^'\n]*+'?)
  | (?P<punct>[\[\]{}=,.])
  | (?P<bare>[^ \t\r\n\#"'\[\]{}=,.]+)
""", re.VERBOSE | re.DOTALL)
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.DOTALL)
_SIMPLE = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}


def _unescape(body: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        if code:
            try:
                return chr(int(code, 16))
            except (ValueError, OverflowError):
                return m.group(0)
        return _SIMPLE.get(m.group(3), m.group(0))

    return _ESCAPE.sub(one, body)


def _tokens(text: str) -> list[tuple[str, str, int, int, int]]:
    """(kind, key text, line, start, end): kind is "s" (a string), "b" (a bare word), "\\n", or the
    punctuation itself; whitespace and comments are dropped."""
    out = []
    line = 1
    for m in _TOKEN.finditer(text):
        kind, raw = m.lastgroup, m.group()
        if kind == "nl":
            out.append(("\n", "", line, m.start(), m.end()))
        elif kind == "bs":
            out.append(("s", _unescape(raw[1:-1] if raw.endswith('"') and len(raw) > 1 else raw[1:]),
                        line, m.start(), m.end()))
        elif kind == "ls":
            out.append(("s", raw[1:-1] if raw.endswith("'") and len(raw) > 1 else raw[1:], line, m.start(),
                        m.end()))
        elif kind in ("mls", "mll"):
            out.append(("s", "", line, m.start(), m.end()))
        elif kind == "punct":
            out.append((raw, raw, line, m.start(), m.end()))
        elif kind == "bare":
            out.append(("b", raw, line, m.start(), m.end()))
        line += raw.count("\n") if kind != "nl" else 1
    return out


class _Index:
    """The scanner behind `line_index` (a class only to share the token list between its steps)."""

    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.n = len(self.toks)
        self.where: dict[Key, int] = {}

    def mark(self, path: Key, line: int, start: int = 1) -> None:
        for end in range(max(1, start), len(path) + 1):
            self.where.setdefault(path[:end], line)

    def kind(self, i: int) -> str:
        return self.toks[i][0] if i < self.n else ""

    def key(self, i: int) -> tuple[list[str], int]:
        parts: list[str] = []
        while self.kind(i) in ("s", "b"):
            parts.append(self.toks[i][1])
            i += 1
            if self.kind(i) != ".":
                break
            i += 1
        return parts, i

    def eol(self, i: int) -> int:
        while i < self.n and self.toks[i][0] != "\n":
            i += 1
        return i + 1

    def skip_newlines(self, i: int) -> int:
        while self.kind(i) == "\n":
            i += 1
        return i

    def run(self) -> dict[Key, int]:
        table: Key = ()
        aots: dict[Key, int] = {}
        i = 0
        while i < self.n:
            kind, _, line, start, _ = self.toks[i]
            if kind == "\n":
                i += 1
                continue
            if kind == "[":
                aot = self.kind(i + 1) == "[" and self.toks[i + 1][3] == self.toks[i][4]
                parts, i = self.key(i + (2 if aot else 1))
                table = _resolve(parts, aot, aots)
                self.mark(table, line)
                i = self.eol(i)
                continue
            parts, i = self.key(i)
            if not parts:
                i = self.eol(i)
                continue
            path = (*table, *parts)
            self.mark(path, line, len(table) + 1)
            if self.kind(i) == "=":
                i = self.value(i + 1, path)
            i = self.eol(i)
        return self.where

    def value(self, i: int, path: Key) -> int:
        """Past one value at `path`, marking the elements of arrays and the keys of inline tables."""
        stack: list[list[Any]] = []   # [kind "a"/"t", path, element count]
        cur = path
        while True:
            if stack and stack[-1][0] == "a":
                i = self.skip_newlines(i)
            if i >= self.n:
                return i
            kind, _, line, _, _ = self.toks[i]
            self.mark(cur, line, len(path))
            if kind == "[":
                stack.append(["a", cur, 0])
                i = self.skip_newlines(i + 1)
                if self.kind(i) != "]":
                    cur = (*cur, 0)
                    continue
                i += 1
                stack.pop()
            elif kind == "{":
                stack.append(["t", cur, 0])
                i += 1
                if self.kind(i) != "}":
                    parts, i = self.key(i)
                    if not parts:
                        return i
                    i += 1 if self.kind(i) == "=" else 0
                    cur = (*cur, *parts)
                    continue
                i += 1
                stack.pop()
            elif kind == "\n":
                return i
            else:
                i += 1
                while self.kind(i) in ("b", "."):   # 1979-05-27 07:32:00, and 1.5 as "1" "." "5"
                    i += 1
            found = False
            while stack and not found:
                frame = stack[-1]
                if frame[0] == "a":
                    i = self.skip_newlines(i)
                    k = self.kind(i)
                    if not k:
                        return i
                    if k == ",":
                        i = self.skip_newlines(i + 1)
                        if self.kind(i) == "]":
                            i += 1
                            stack.pop()
                            continue
                        frame[2] += 1
                        cur, found = (*frame[1], frame[2]), True
                    elif k == "]":
                        i += 1
                        stack.pop()
                    else:
                        i += 1
                else:
                    k = self.kind(i)
                    if not k or k == "\n":
                        return i
                    if k == "}":
                        i += 1
                        stack.pop()
                    elif k == ",":
                        parts, i = self.key(i + 1)
                        if parts:
                            i += 1 if self.kind(i) == "=" else 0
                            cur, found = (*frame[1], *parts), True
                    else:
                        i += 1
            if not found:
                return i


def _resolve(parts: list[str], aot: bool, aots: dict[Key, int]) -> Key:
    """A header's key as a data path: `[[layer]]` → ("layer", 2); `[layer.x]` after it → ("layer", 2, "x")."""
    resolved: list[Any] = []
    for j, part in enumerate(parts):
        resolved.append(part)
        key = tuple(resolved)
        if aot and j == len(parts) - 1:
            aots[key] = aots.get(key, -1) + 1
            resolved.append(aots[key])
        elif key in aots:
            resolved.append(aots[key])
    return tuple(resolved)


def line_index(text: str) -> dict[Key, int]:
    """(table, [index,] key, …) → the line it is written on, e.g. ("layer", 1, "x") → 17; for text
    tomllib has accepted. A path that is not in it takes the line of its nearest written parent."""
    try:
        return _Index(text).run()
    except (IndexError, RecursionError):  # pragma: no cover - a layout the scanner does not know
        return {}
