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
MAX_MARKS = 4  # combining marks kept on one character (Vietnamese and Indic need up to 3)


def _is_wordish(word: str) -> bool:
    return all(c.isascii() for c in word)


class Blocklist:
    def __init__(self, words: list[str] | tuple[str, ...] = ()) -> None:
        normalized = {unicodedata.normalize("NFKC", w).strip() for w in words if w.strip()}
        cleaned = sorted(normalized, key=len, reverse=True)
        self.words = cleaned
        parts = [(r"(?<!\w)" + re.escape(w) + r"(?!\w)") if _is_wordish(w) else re.escape(w) for w in cleaned]
        self._re = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    @classmethod
    def load(cls, path: str | Path | None) -> Blocklist:
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


ZWJ = "\u200d"
_BLACK_FLAG = "\U0001f3f4"


def _pictographic(c: str) -> bool:
    """Roughly Unicode's Extended_Pictographic (which `unicodedata` does not expose): emoji blocks."""
    o = ord(c)
    return (0x1F000 <= o <= 0x1FAFF or 0x2600 <= o <= 0x27BF or 0x2300 <= o <= 0x23FF or 0x2B00 <= o <= 0x2BFF
            or o in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299))


def _keep_format(text: str, i: int, kept: list[str]) -> bool:
    """Format characters are dropped (bidi overrides, zero-width spaces…) except where emoji need them:
    a ZWJ between two pictographs (👩‍💻, 👨‍👩‍👧) and the tag characters of a subdivision flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿).
    A ZWJ between letters is dropped, so it cannot split a blocked word."""
    c = text[i]
    if c == ZWJ:
        prev = next((k for k in reversed(kept) if k not in "\ufe0f\ufe0e"), "")
        return bool(prev) and _pictographic(prev) and i + 1 < len(text) and _pictographic(text[i + 1])
    if 0xE0020 <= ord(c) <= 0xE007F:
        return bool(kept) and (kept[-1] == _BLACK_FLAG or 0xE0020 <= ord(kept[-1]) <= 0xE007E)
    return False


def plain(text: str, limit: int) -> str:
    """NFKC, no control/format characters, collapsed whitespace, at most `limit` characters."""
    text = unicodedata.normalize("NFKC", text or "")
    kept: list[str] = []
    marks = 0
    for i, c in enumerate(text):
        cat = unicodedata.category(c)
        marks = marks + 1 if cat in ("Mn", "Me") else 0
        if marks > MAX_MARKS:
            continue  # "Zalgo" text: dozens of stacked accents would paint over the lines above
        if cat in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif cat in ("Co", "Cs", "Cn") or (cat == "Cf" and not _keep_format(text, i, kept)):
            continue
        else:
            kept.append(c)
    text = " ".join("".join(kept).split())
    if len(text) > limit:
        text = text[: max(0, limit - 1)].rstrip().rstrip(ZWJ) + "…"
    return text


def screen_line(author: str, text: str, blocklist: Blocklist | None = None,
                max_name: int = MAX_NAME, max_text: int = MAX_TEXT) -> tuple[str, str]:
    """(name, text) ready for the overlay. Masking happens before capping, so a blocked word cut in half
    by the cap is still masked."""
    bl = blocklist or Blocklist()
    name = bl.mask(plain(author, 200))
    body = bl.mask(plain(text, 2000))
    return plain(name, max_name) or "?", plain(body, max_text)
