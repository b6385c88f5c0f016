"""The access file: who may connect to `trustdialog serve`, in what role, with which keys.

A small TOML file, one `[[people]]` table per person:

    [[people]]
    name = "alice"
    role = "facilitator"          # facilitator | client
    keys = ["ssh-ed25519 AAAA... alice@laptop"]

The server identifies a person by their key alone (the SSH user name is ignored), so a
key may belong to one person only. Written with tomli-w, 0600, replaced atomically.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from trustdialog.files import FileReadError, read_regular_file
from trustdialog.identity import Role, is_role

ACCESS_FILE_NAME = "access.toml"
# Generous caps that a mistaken path (/dev/zero, a FIFO, a disk image) runs into at once.
KEY_FILE_LIMIT = 256 * 1024  # an authorized_keys file of a thousand keys fits
ACCESS_FILE_LIMIT = 4 * 1024 * 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_HEADER = (
    "# trustdialog access file: who may connect to `trustdialog serve`.\n"
    "# Manage it with `trustdialog access add|list|remove`; role is facilitator or client.\n\n"
)


class AccessError(Exception):
    """The access file or a key cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class PublicKey:
    """One OpenSSH public key line, plus what identifies it."""

    line: str  # "ssh-ed25519 AAAA... comment", as the person gave it (normalised spacing)
    blob: bytes  # the key itself, without comment: what the server matches on
    fingerprint: str  # SHA256:..., what `ssh-keygen -lf` prints

    @property
    def comment(self) -> str:
        parts = self.line.split(None, 2)
        return parts[2] if len(parts) > 2 else ""


@dataclass
class Person:
    name: str
    role: Role
    keys: list[PublicKey] = field(default_factory=list)


def parse_key(line: str) -> PublicKey:
    """A public key from one `ssh-... AAAA... comment` line; AccessError if it is not one."""
    import asyncssh  # only the access and serve commands pay for it

    text = " ".join(line.split())
    if not text:
        raise AccessError("empty key")
    try:
        key = asyncssh.import_public_key(text)
    except (asyncssh.KeyImportError, ValueError) as error:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise AccessError(f"not an OpenSSH public key ({error}): {shown}") from None
    return PublicKey(line=text, blob=key.public_data, fingerprint=key.get_fingerprint("sha256"))


def read_key_file(path: Path) -> list[PublicKey]:
    """Every key in a `.pub` or authorized_keys-style file (blank lines and # comments skipped)."""
    try:
        text = read_regular_file(path, KEY_FILE_LIMIT).decode("utf-8")
    except FileReadError as error:
        raise AccessError(f"cannot read key file {path}: {error.reason}") from None
    except UnicodeDecodeError:
        raise AccessError(f"{path} is not a text file of public keys") from None
    if "PRIVATE KEY" in text:
        raise AccessError(f"{path} holds a private key; give the .pub file")
    keys = [parse_key(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not keys:
        raise AccessError(f"no public key in {path}")
    return keys


class AccessList:
    """The people in an access file, kept in file order."""

    def __init__(self, people: list[Person] | None = None) -> None:
        self.people: list[Person] = people or []

    # -- reading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> AccessList:
        """Read `path`; a missing file is an empty list. AccessError names the first problem."""
        if not os.path.lexists(path):
            return cls()
        try:
            raw = read_regular_file(path, ACCESS_FILE_LIMIT)
        except FileReadError as error:
            raise AccessError(f"cannot read {path}: {error.reason}") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise AccessError(f"{path}: {error}") from None
        entries = data.get("people", [])
        if not isinstance(entries, list):
            raise AccessError(f"{path}: 'people' must be a list of [[people]] tables")
        access = cls()
        for number, entry in enumerate(entries, 1):
            where = f"{path}: person {number}"
            if not isinstance(entry, dict):
                raise AccessError(f"{where}: must be a [[people]] table")
            name, role, keys = entry.get("name"), entry.get("role", "client"), entry.get("keys", [])
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise AccessError(f"{where}: name must be 1-64 letters, digits or ._@+- (got {name!r})")
            if not is_role(role):
                raise AccessError(f"{where} ({name}): role must be facilitator or client (got {role!r})")
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise AccessError(f"{where} ({name}): keys must be a list of strings")
            try:
                parsed = [parse_key(k) for k in keys]
            except AccessError as error:
                raise AccessError(f"{where} ({name}): {error}") from None
            access._check_new(name, parsed, where)
            access.people.append(Person(name, role, parsed))
        return access

    def _check_new(self, name: str, keys: list[PublicKey], where: str) -> None:
        if self.find(name) is not None:
            raise AccessError(f"{where}: '{name}' is listed twice")
        for key in keys:
            owner = self.owner_of(key.blob)
            if owner is not None:
                raise AccessError(f"{where} ({name}): key {key.fingerprint} already belongs to '{owner.name}'")

    def find(self, name: str) -> Person | None:
        return next((p for p in self.people if p.name == name), None)

    def owner_of(self, blob: bytes) -> Person | None:
        """Who holds this key (matched on the key itself, never the comment)."""
        return next((p for p in self.people if any(k.blob == blob for k in p.keys)), None)

    # -- changing ------------------------------------------------------------------------

    def add(self, name: str, role: str, keys: list[PublicKey]) -> tuple[Person, int]:
        """Add a person, or more keys (and the given role) to one; returns (person, keys added)."""
        if not _NAME.fullmatch(name):
            raise AccessError(f"name must be 1-64 letters, digits or ._@+- (got {name!r})")
        if not is_role(role):
            raise AccessError(f"role must be facilitator or client (got {role!r})")
        person = self.find(name)
        for key in keys:
            owner = self.owner_of(key.blob)
            if owner is not None and owner.name != name:
                raise AccessError(f"key {key.fingerprint} already belongs to '{owner.name}'")
        if person is None:
            person = Person(name, role)
            self.people.append(person)
        person.role = role
        added = 0
        for key in keys:
            if all(k.blob != key.blob for k in person.keys):
                person.keys.append(key)
                added += 1
        return person, added

    def remove(self, name: str) -> Person:
        person = self.find(name)
        if person is None:
            known = ", ".join(p.name for p in self.people) or "nobody yet"
            raise AccessError(f"no one named '{name}' in the access file (listed: {known})")
        self.people.remove(person)
        return person

    def save(self, path: Path) -> None:
        """Write the file 0600, atomically (a reader never sees half a file)."""
        import tomli_w

        data = {"people": [{"name": p.name, "role": p.role, "keys": [k.line for k in p.keys]} for p in self.people]}
        text = _HEADER + tomli_w.dumps(data, multiline_strings=False)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(temp, 0o600)
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise


class AccessWatcher:
    """The server's view of the access file: re-read when it changes, so `access add`
    works without a restart; a broken edit keeps the last good list (and says so once)."""

    def __init__(self, path: Path, on_error: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._on_error = on_error
        self._stamp: tuple[int, int, int] | None = None
        self._current = AccessList()
        self.refresh()

    def refresh(self) -> AccessList:
        try:
            info = self.path.stat()
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._current = AccessList.load(self.path)
            except AccessError as error:
                if self._on_error:
                    self._on_error(f"access file not reloaded, keeping the last good one: {error}")
        return self._current
