"""The server's host key: made on first run, kept 0600, its fingerprint shown to clients."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # asyncssh loads only when the server starts
    from asyncssh import SSHKey

HOST_KEY_NAME = "ssh_host_ed25519_key"


class HostKeyError(Exception):
    """The host key cannot be read or written; the message says why, in one line."""


def load_or_create(path: Path) -> SSHKey:
    """The private host key at `path`, generated (ssh-ed25519) and saved 0600 if missing."""
    import asyncssh

    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            # As sshd does: a host key others can read is no longer secret.
            raise HostKeyError(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
        try:
            return asyncssh.read_private_key(path)
        except (OSError, asyncssh.KeyImportError, ValueError) as error:
            raise HostKeyError(f"cannot read host key {path}: {error}") from None
    key = asyncssh.generate_private_key("ssh-ed25519", comment="trustdialog host key")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: two servers starting at once never overwrite each other's key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create(path)
    except OSError as error:
        raise HostKeyError(f"cannot write host key {path}: {error.strerror or error}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key("openssh"))
    return key


def fingerprint(key: SSHKey) -> str:
    """SHA256:..., the form `ssh` prints when it first meets a host."""
    return key.get_fingerprint("sha256")
