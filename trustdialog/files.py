"""Reading a data file safely: regular files only, never past a size limit, never blocking on a pipe.

A FIFO, a device (/dev/zero) or a folder named like a data file must not hang
or exhaust the process that reads it, so the file is opened without blocking,
checked with fstat, and read only up to `limit` bytes. Safe for every layer: it
imports nothing of trustdialog.
"""

from __future__ import annotations

import os
import stat

# O_NONBLOCK makes opening a FIFO with no writer return at once (it would wait
# forever otherwise); it has no effect on a regular file. Windows lacks it.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) \
    | getattr(os, "O_BINARY", 0)


class FileReadError(OSError):
    """A file that cannot be read; `reason` says why in words (str() is "path: reason")."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(reason)
        self.path = str(path)
        self.filename = self.path
        self.reason = reason
        self.strerror = reason  # code that shows `error.strerror` gets the same words

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class NotRegularFile(FileReadError):
    """A folder, FIFO, socket or device where a file was expected."""


class FileTooLarge(FileReadError):
    """A file over the size limit; it is refused unread (or read only up to the limit)."""

    def __init__(self, path: str | os.PathLike[str], size: int | None, limit: int) -> None:
        said = f"{size:,} bytes" if size is not None else "over the limit"
        super().__init__(path, f"file is {said}; the limit is {limit:,} bytes")
        self.size = size
        self.limit = limit


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "not a regular file (a named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (a device)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (a socket)"
    return "not a regular file"


def read_regular_file(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at `path` (symlinks followed), at most `limit` of them.

    Raises NotRegularFile (folder, FIFO, device, socket), FileTooLarge (over
    `limit`, judged before reading and again while reading, as the file may
    grow), or FileReadError for any other OS error (missing, not permitted).
    All are OSError; str(error) is "path: reason", error.reason is the reason.
    """
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise FileReadError(path, "no such file") from None
    except IsADirectoryError:
        raise NotRegularFile(path, "is a folder, not a file") from None
    except OSError as error:
        raise FileReadError(path, f"cannot read: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, _kind(info.st_mode))
        if info.st_size > limit:
            raise FileTooLarge(path, info.st_size, limit)
        chunks = []
        left = limit + 1  # one byte past the limit tells a file that grew
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise FileTooLarge(path, None, limit)
        return data
    except FileReadError:
        raise
    except OSError as error:
        raise FileReadError(path, f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(fd)
