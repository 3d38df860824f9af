"""An image's size in pixels read from its header, before anything decodes it.

A 12000×12000 PNG of one colour is a few hundred kilobytes on disk and 576 MB once decoded (several
times that through a colour conversion): the size on disk says nothing. The header does, in the first
bytes for PNG, GIF, BMP and WebP and in the first frame marker for JPEG. Written by hand because the
decoders we have (OpenCV, Qt) only tell the size by decoding, and this needs no library: a few
fixed-layout fields, each read bounds-checked.

`check_pixels` is the rule every decode path calls: the studio's own layers (studio/media/still.py)
and, for the product images, studio/commerce/images.py.
"""

from __future__ import annotations

import struct

from studio.core.errors import UserError

HEADER_BYTES = 64 * 1024        # a JPEG's frame header comes after its EXIF/ICC segments; 64 KB is ample
MAX_PIXELS = 40_000_000         # a 40 MP photo (7700×5200) decodes to 160 MB of BGRA: the ceiling
MAX_SIDE = 16_384


def _png(b: bytes) -> tuple[int, int] | None:
    if b[:8] == b"\x89PNG\r\n\x1a\n" and len(b) >= 24 and b[12:16] == b"IHDR":
        w, h = struct.unpack(">II", b[16:24])
        return int(w), int(h)
    return None


def _gif(b: bytes) -> tuple[int, int] | None:
    if b[:6] in (b"GIF87a", b"GIF89a") and len(b) >= 10:
        w, h = struct.unpack("<HH", b[6:10])
        return int(w), int(h)
    return None


def _bmp(b: bytes) -> tuple[int, int] | None:
    if b[:2] != b"BM" or len(b) < 26:
        return None
    (dib,) = struct.unpack("<I", b[14:18])
    if dib == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sides
        w, h = struct.unpack("<HH", b[18:22])
        return int(w), int(h)
    w, h = struct.unpack("<ii", b[18:26])
    return abs(int(w)), abs(int(h))  # a negative height is a top-down bitmap


def _webp(b: bytes) -> tuple[int, int] | None:
    if b[:4] != b"RIFF" or b[8:12] != b"WEBP" or len(b) < 30:
        return None
    chunk = b[12:16]
    if chunk == b"VP8X":
        w = 1 + int.from_bytes(b[24:27], "little")
        h = 1 + int.from_bytes(b[27:30], "little")
        return w, h
    if chunk == b"VP8L" and b[20:21] == b"\x2f":
        (bits,) = struct.unpack("<I", b[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and b[23:26] == b"\x9d\x01\x2a":
        w, h = struct.unpack("<HH", b[26:30])
        return int(w) & 0x3FFF, int(h) & 0x3FFF
    return None


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(b: bytes) -> tuple[int, int] | None:
    if b[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 4 <= len(b):
        if b[i] != 0xFF:
            return None
        marker = b[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", b[i + 2:i + 4])
        if marker in _SOF:
            if i + 9 > len(b):
                return None
            h, w = struct.unpack(">HH", b[i + 5:i + 9])
            return int(w), int(h)
        if length < 2:
            return None
        i += 2 + length
    return None


def image_size(header: bytes) -> tuple[int, int] | None:
    """(width, height) from the first bytes of a PNG, JPEG, WebP, GIF or BMP file; None when the bytes
    are none of these or are cut short."""
    for parse in (_png, _jpeg, _webp, _gif, _bmp):
        size = parse(header)
        if size is not None:
            return size
    return None


def check_pixels(header: bytes, what: str, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """The image's (width, height) when it may be decoded; UserError when its header is not one we
    read, or it is larger than `max_pixels` or MAX_SIDE on a side — before a byte of it is decoded."""
    size = image_size(header)
    if size is None:
        raise UserError(f"{what} is not an image the studio can read: use a PNG, JPEG or WebP file")
    w, h = size
    if w <= 0 or h <= 0:
        raise UserError(f"{what} says it is {w}×{h} pixels: it is a broken image")
    if w * h > max_pixels or max(w, h) > MAX_SIDE:
        raise UserError(f"{what} is {w}×{h} pixels ({w * h / 1e6:.0f} MP): use an image of at most "
                        f"{max_pixels / 1e6:.0f} MP and {MAX_SIDE} pixels a side, e.g. scaled to the canvas")
    return w, h
