"""CSV rows with the physical line each one starts on (quoted fields may span lines)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

csv.field_size_limit(1 << 24)  # a long Body (HTML) is normal; 16 MB bounds a hostile one


def rows_with_lines(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(header, iterator of (start line, cells)); blank lines are skipped. Header cells are stripped."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header: list[str] = []
    for cells in reader:
        if any(c.strip() for c in cells):
            header = [c.strip() for c in cells]
            break

    def rows() -> Iterator[tuple[int, list[str]]]:
        last = reader.line_num
        for cells in reader:
            start = last + 1
            last = reader.line_num
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
