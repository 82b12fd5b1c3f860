"""Read a text file that someone else chose: only regular files, only up to a size.

`open()` on a FIFO blocks until a writer appears and `read()` on `/dev/zero` never ends,
so the file is opened non-blocking, checked with `fstat` (the same file that is read, not
a name that could be swapped), and read to at most `max_bytes` + 1 bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 1_048_576


class InputFileError(ValueError):
    """A file that cannot be read as text; the message says why, without a traceback.
    `missing` is True when there is no such file (as opposed to one that cannot be read)."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def file_kind(mode: int) -> str:
    """A short name of what a non-regular file is."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_text_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most `max_bytes` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        missing = isinstance(exc, FileNotFoundError)
        raise InputFileError(f"cannot read file: {exc.strerror or exc}", missing=missing) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"skipped: {file_kind(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise InputFileError(
                f"file is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes"
            )
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(65_536, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # grew while we read
            raise InputFileError(f"file is larger than the limit of {max_bytes:,} bytes")
    except OSError as exc:
        raise InputFileError(f"cannot read file: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"not UTF-8 text (byte {exc.start})") from exc
