"""What may reach the screen from chat: plain text, length-capped, blocked words masked.

Applied to names and messages before the chat overlay ever sees them. Text is NFKC-normalised first
(so full-width `ＢＡＤ` or compatibility characters cannot dodge the list), control and bidi-override
characters are removed (no fake line breaks, no right-to-left tricks), whitespace is collapsed, and
the result is capped with an ellipsis. Blocked words match case-insensitively: as whole words for
Latin-script entries, as substrings for CJK (which has no spaces between words).
The overlay renders plain text only; nothing here is ever interpreted as markup.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from studio.core.errors import UserError

MAX_NAME = 20
MAX_TEXT = 90
MASK_CHAR = "*"


def _is_wordish(word: str) -> bool:
    return all(c.isascii() for c in word)


class Blocklist:
    def __init__(self, words: list[str] | tuple[str, ...] = ()) -> None:
        cleaned = sorted({unicodedata.normalize("NFKC", w).strip() for w in words if w.strip()}, key=len, reverse=True)
        self.words = cleaned
        parts = [(r"(?<!\w)" + re.escape(w) + r"(?!\w)") if _is_wordish(w) else re.escape(w) for w in cleaned]
        self._re = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    @classmethod
    def load(cls, path: str | Path | None) -> "Blocklist":
        """One word or phrase per line; `#` starts a comment; UTF-8 (a BOM is fine)."""
        if not path:
            return cls()
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as e:
            raise UserError(f"cannot read the blocked-words file {path}: {e.strerror or e}") from None
        except UnicodeDecodeError:
            raise UserError(f"the blocked-words file {path} is not UTF-8 text") from None
        return cls([line.split("#", 1)[0] for line in text.splitlines()])

    def mask(self, text: str) -> str:
        if self._re is None:
            return text
        return self._re.sub(lambda m: MASK_CHAR * len(m.group(0)), text)

    def hits(self, text: str) -> bool:
        return bool(self._re and self._re.search(unicodedata.normalize("NFKC", text)))


def plain(text: str, limit: int) -> str:
    """NFKC, no control/format characters, collapsed whitespace, at most `limit` characters."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                   for c in text if unicodedata.category(c) not in ("Cf", "Co", "Cs", "Cn"))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: max(0, limit - 1)].rstrip() + "…"
    return text


def screen_line(author: str, text: str, blocklist: Blocklist | None = None,
                max_name: int = MAX_NAME, max_text: int = MAX_TEXT) -> tuple[str, str]:
    """(name, text) ready for the overlay. Masking happens before capping, so a blocked word cut in half
    by the cap is still masked."""
    bl = blocklist or Blocklist()
    name = bl.mask(plain(author, 200))
    body = bl.mask(plain(text, 2000))
    return plain(name, max_name) or "?", plain(body, max_text)
