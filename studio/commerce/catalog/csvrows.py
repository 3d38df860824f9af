"""CSV rows with the physical line each one starts on (quoted fields may span lines).

A cell is bounded to `FIELD_LIMIT` characters (a long Body (HTML) is normal; 16 MB bounds a hostile
one). Python's csv reader raises on a longer cell and then goes on from the next *physical* line,
which may be the middle of the quoted cell: it would read the rest of that cell as rows of its own.
So a row that the reader refuses becomes a `BadRow` at its own line, and reading resumes after the
row's true end, found by `record_end` (the reader's own quoting rules, written out: the csv module
cannot say where a record it refused would have ended).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass

from studio.core.errors import UserError

FIELD_LIMIT = 1 << 24
csv.field_size_limit(FIELD_LIMIT)

_NEWLINE = re.compile(r"\r\n|\r|\n")          # how io.StringIO(newline="") splits lines, which csv wants
_FIELD_END = re.compile(r"[,\r\n]")


@dataclass(frozen=True)
class BadRow:
    """A row the CSV reader could not read; `reason` is shown after `line N:`."""

    reason: str


def _why(e: csv.Error) -> str:
    if "field larger than field limit" in str(e):
        return f"a cell is longer than {FIELD_LIMIT // (1024 * 1024)} MB; the row is skipped"
    return f"unreadable CSV row ({str(e)[:80]})"


def record_end(text: str, i: int) -> int:
    """The offset just past the CSV record starting at `i`, by the rules of csv's default dialect with
    `strict=False`: a field that starts with `"` is quoted (`""` inside is a quote) up to its closing
    quote, whatever follows up to a comma or line break joins it; a quote inside an unquoted field is
    a plain character; a line break outside quotes ends the record."""
    n = len(text)
    while i < n:
        if text[i] == '"':
            i += 1
            while True:
                j = text.find('"', i)
                if j < 0:
                    return n  # unterminated: the reader too runs to the end of the text
                if text.startswith('"', j + 1):
                    i = j + 2
                    continue
                i = j + 1
                break
        m = _FIELD_END.search(text, i)
        if m is None:
            return n
        i = m.start()
        if text[i] == ",":
            i += 1
            continue
        return i + 2 if text.startswith("\r\n", i) else i + 1
    return n


class _Lines:
    """The text's physical lines, fed to the csv reader, with where they are and how many were read;
    `skip_to` jumps over what the reader refused."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 0  # physical lines consumed

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.text):
            raise StopIteration
        m = _NEWLINE.search(self.text, self.pos)
        end = m.end() if m else len(self.text)
        chunk = self.text[self.pos:end]
        self.pos = end
        self.line += 1
        return chunk

    def skip_to(self, offset: int) -> None:
        offset = max(offset, self.pos)
        breaks = sum(1 for _ in _NEWLINE.finditer(self.text, self.pos, offset))
        tail = offset == len(self.text) and offset > self.pos and self.text[offset - 1] not in "\r\n"
        self.line += breaks + tail
        self.pos = offset


def rows_with_lines(text: str, source: str = "catalog"
                    ) -> tuple[list[str], Iterator[tuple[int, list[str] | BadRow]]]:
    """(header, iterator of (start line, cells or `BadRow`)); blank lines are skipped. Header cells are
    stripped. UserError when the header itself cannot be read."""
    lines = _Lines(text)
    reader = csv.reader(lines, strict=False)
    header: list[str] = []
    while True:
        start = lines.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise UserError(f"{source}: line {start}: the header row cannot be read: {_why(e)}") from None
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break

    def rows() -> Iterator[tuple[int, list[str] | BadRow]]:
        while True:
            start, first = lines.line + 1, lines.pos
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                lines.skip_to(record_end(text, first))
                yield start, BadRow(_why(e))
                continue
            if any(c.strip() for c in cells):
                yield start, cells

    return header, rows()


class Row:
    """Cells looked up by header name (never by position); missing columns read as ''."""

    __slots__ = ("_cells", "_index")

    def __init__(self, index: dict[str, int], cells: list[str]) -> None:
        self._index = index
        self._cells = cells

    def get(self, name: str) -> str:
        i = self._index.get(name.lower())
        if i is None or i >= len(self._cells):
            return ""
        return self._cells[i].strip()


def header_index(header: list[str]) -> dict[str, int]:
    """Case-insensitive column lookup: the key is the lowercased header name (first one wins)."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name.strip().lower(), i)
    return index
