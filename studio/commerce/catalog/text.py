"""Turning catalog file bytes into text: any BOM (UTF-8/16/32), else UTF-8, else GB18030.

Merchants' spreadsheets arrive with a BOM from Excel, UTF-16 from "Unicode text" exports, or GBK
from Chinese Excel; line endings may be CRLF. The CSV reader handles line endings itself.
"""

from __future__ import annotations

import codecs

from studio.core.errors import UserError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_catalog(data: bytes, name: str = "catalog") -> str:
    """The text of a catalog file, without its BOM. UserError when it is not text at all."""
    for bom, encoding in _BOMS:  # UTF-32-LE's BOM starts with UTF-16-LE's: test it first
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as e:
                why = f"not valid {encoding} text after its byte-order mark ({e.reason})"
                raise UserError(f"{name}: {why}") from None
    if b"\x00" in data[:4096]:
        raise UserError(f"{name}: this is not a text file (save the spreadsheet as CSV UTF-8 or JSON)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise UserError(f"{name}: unknown text encoding (save the spreadsheet as CSV UTF-8)") from None
