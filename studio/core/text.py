"""Text from outside made inert before it reaches a terminal, a log file, a window or a page.

A platform's error text, an order id, a file name or a bridge's JSON may carry escape sequences
(`ESC [ 2 J` clears a host's terminal, `ESC ] 8` writes a fake link), a carriage return or a newline
that forges a second log line, a bidi override that makes a message read backwards, or a lone
surrogate that makes `print` raise. `inert` escapes all of these as visible `\\x1b`, `\\u202e`… so the
text stays readable (a log keeps what the platform really said) and none of it can act.

The chat overlay has its own, stricter rule (studio/live/blocklist.py: dropped, not escaped, because
a viewer reads it); this one is for the host's own diagnostics.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"

# Format characters that change how the rest of a line is shown: bidi embeddings, overrides, isolates and
# marks, the Arabic letter mark, and the invisible ones (zero-width space, word joiner, BOM…). Joiners
# (ZWJ, ZWNJ) and emoji tag characters stay: emoji and Persian need them, and they move nothing.
_KEEP_FORMAT = frozenset("\u200c\u200d")


def _acts(c: str) -> bool:
    """Whether `c` can act on a terminal or a log line rather than be read: a C0 or C1 control, DEL,
    a line or paragraph separator, a surrogate, or a format character other than a joiner or a tag."""
    cat = unicodedata.category(c)
    if cat in ("Cc", "Cs", "Zl", "Zp"):
        return True
    return cat == "Cf" and c not in _KEEP_FORMAT and not 0xE0020 <= ord(c) <= 0xE007F


def _escape(c: str) -> str:
    o = ord(c)
    if o <= 0xFF:
        return f"\\x{o:02x}"
    return f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}"


def inert(text: object, *, multiline: bool = False, limit: int | None = None) -> str:
    """`text` with every character that could act (see `_acts`) escaped; ordinary text of any script,
    emoji included, is returned unchanged. `multiline` keeps line feeds and tabs (a traceback in a log
    file, a page) and escapes every other line break (a carriage return can hide a line on a terminal).
    `limit` caps the result (an ellipsis at the end), so one enormous error text cannot flood a terminal."""
    s = text if isinstance(text, str) else str(text)
    if limit is not None and len(s) > limit:
        s = s[:limit]
        cut = True
    else:
        cut = False
    if not s.isprintable():  # printable: no control, format, surrogate or separator but the space
        s = "".join(c if (multiline and c in "\n\t") or not _acts(c) else _escape(c) for c in s)
        if limit is not None and len(s) > limit:
            s, cut = s[:limit], True
    return s + ELLIPSIS if cut else s


def one_line(text: object, limit: int | None = 2000) -> str:
    """A sentence for a terminal line or a log line: inert, on one line, at most `limit` characters."""
    return inert(text, limit=limit)


def inert_json(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every acting character written as its
    JSON escape (`\\u001b`, `\\u202e`, a pair for one beyond U+FFFF): the same JSON value, readable in any
    script, that a terminal cannot act on. Outside strings JSON is ASCII, so every such character is
    inside one."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c == "\n" or not _acts(c):
            out.append(c)
            continue
        o = ord(c)
        if o > 0xFFFF:
            o -= 0x10000
            out.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
        else:
            out.append(f"\\u{o:04x}")
    return "".join(out)
