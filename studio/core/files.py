"""The studio's own files: created readable by the user only, never replacing what is there, one writer
at a time; and files it reads from a host: regular files of a bounded size only.

- `claim_new_file` creates a file that did not exist (`O_EXCL`), mode 0600, picking `show (2).mkv`,
  `show (3).mkv`… when the name is taken: a recording or a log is never replaced, even by a second
  show started in the same second.
- `create_private` opens a file for appending, created 0600 when it is new (stats, the studio's log).
- `check_regular_file` refuses a device (`/dev/zero` never ends), a FIFO (blocks forever) or a socket,
  and a file larger than a bound, before anything reads it.
- `WriterLock` is an advisory lock on a sidecar file (`flock`; `msvcrt.locking` on Windows): a second
  show that opens the same session log is refused with a sentence instead of interleaving silently
  (SQLite's WAL lets two writers in).

On Windows the mode bits are not an ACL; files there live in the user's profile, which other users
cannot read by default.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path
from typing import IO

from studio.core.errors import UserError

PRIVATE = 0o600
MAX_COPIES = 999  # show (2).mkv … show (999).mkv; past that the folder needs a look


def numbered(path: Path, n: int) -> Path:
    """`show.mkv` → `show (n).mkv` (n ≥ 2); `show` → `show (n)`; `show.tar.gz` → `show.tar (n).gz`."""
    return path.with_name(f"{path.stem} ({n}){path.suffix}")


def free_name(path: str | Path) -> Path:
    """`path` when nothing is there, else the first free `name (n).ext` beside it (no file is made)."""
    p = Path(path)
    if not os.path.lexists(p):
        return p
    for n in range(2, MAX_COPIES + 1):
        candidate = numbered(p, n)
        if not os.path.lexists(candidate):
            return candidate
    raise UserError(f"{p.parent}: {MAX_COPIES} files named like {p.name} already: choose another name")


def claim_new_file(path: str | Path) -> Path:
    """Create a new, empty file at `path` or the first free `name (n).ext` beside it, mode 0600, and
    return where. Exclusive: two processes never get the same name, and nothing is ever replaced.
    OSError when the folder cannot hold it (permissions, a full disk)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, MAX_COPIES + 1):
        candidate = p if n == 1 else numbered(p, n)
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         PRIVATE)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise FileExistsError(errno.EEXIST, f"{MAX_COPIES} files named like {p.name} are there already", str(p))


def create_private(path: str | Path) -> IO[str]:
    """`path` opened for appending text (UTF-8), created with mode 0600 when it is new."""
    p = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
    fd = os.open(p, flags, PRIVATE)
    try:
        return os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")
    except BaseException:
        os.close(fd)
        raise


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def check_regular_file(path: str | Path, max_bytes: int, what: str) -> None:
    """UserError when `path` is not a regular file (after links) or is larger than `max_bytes`. A path
    that does not exist or is a folder is left to the reader, which names that in its own words."""
    p = Path(path)
    try:
        st = os.stat(p)
    except (OSError, ValueError):
        return
    if stat.S_ISDIR(st.st_mode):
        return
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode)
                else "a device")
        raise UserError(f"{p}: is {kind}, not a file: give a {what} file")
    if st.st_size > max_bytes:
        raise UserError(f"{p}: {_mb(st.st_size)} is larger than a {what} can be ({_mb(max_bytes)} at most): "
                        f"is this really a {what}?")


class WriterLock:
    """An exclusive advisory lock on `<path>.lock`, held until `release()` (or the process ends: the
    kernel drops it, so a crashed show never leaves a stale lock). The lock file says which process
    holds it. `LockedError` when another process (or another open in this one) holds it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(f"{path}.lock")
        self._file: IO[bytes] | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), PRIVATE)
        f = os.fdopen(fd, "r+b")
        try:
            _lock(f)
        except OSError:
            holder = ""
            with contextlib.suppress(OSError, ValueError):
                f.seek(0)
                holder = f.read(32).decode("ascii", "replace").strip()
            f.close()
            raise LockedError(holder) from None
        with contextlib.suppress(OSError):
            f.seek(0)
            f.truncate()
            f.write(f"{os.getpid()}\n".encode("ascii"))
            f.flush()
        self._file = f

    def release(self) -> None:
        f, self._file = self._file, None
        if f is None:
            return
        with contextlib.suppress(OSError):
            f.seek(0)
            f.truncate()
        f.close()  # closing the file drops the lock; the empty file stays (removing it would race)


class LockedError(Exception):
    """The lock is held by another writer; `str()` is the holder's process id when it said one."""


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(f: IO[bytes]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(f: IO[bytes]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
