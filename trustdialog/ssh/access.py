"""The access file: who may connect to `trustdialog serve`, in what role, with which keys.

A small TOML file: one `[[people]]` table per facilitator or client on their own, and
one `[[couples]]` table per couple, holding its two people, each bound to a partner:

    [[people]]
    name = "alice"
    role = "facilitator"          # facilitator | client
    keys = ["ssh-ed25519 AAAA... alice@laptop"]

    [[couples]]
    name = "sam-and-kim"

    [[couples.people]]
    name = "sam"
    partner = "a"                 # a | b: the pane this person writes in
    keys = ["ssh-ed25519 AAAA... sam@laptop"]

A client in `[[people]]` (the format before couples) is a couple of one, named after
them, who plays both panes. The server identifies a person by their key alone (the SSH
user name is ignored), so a key may belong to one person only; names are unique across
the whole file. Written with tomli-w, 0600, replaced atomically.

With a PostgreSQL store the same text is kept in the database instead (see
trustdialog/store/shared_files.py), so every host serving it agrees on who may connect.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeGuard

from trustdialog.files import FileReadError, read_regular_file
from trustdialog.identity import PARTNERS, Identity, Partner, Role, is_role

if TYPE_CHECKING:
    from trustdialog.store.shared_files import SharedFiles

ACCESS_FILE_NAME = "access.toml"
# Generous caps that a mistaken path (/dev/zero, a FIFO, a disk image) runs into at once.
KEY_FILE_LIMIT = 256 * 1024  # an authorized_keys file of a thousand keys fits
ACCESS_FILE_LIMIT = 4 * 1024 * 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_HEADER = (
    "# trustdialog access file: who may connect to `trustdialog serve`.\n"
    "# Manage it with `trustdialog access add|list|remove`; role is facilitator or client;\n"
    "# a couple is two people, partner a and partner b, each with their own keys.\n\n"
)


class AccessError(Exception):
    """The access file or a key cannot be used; the message says why, in one line."""


def shared_files() -> SharedFiles | None:
    """The store's copy of the access and invite files when the store is PostgreSQL, else None
    (the files on disk); AccessError when the store URL is wrong."""
    from trustdialog.store.records import StoreError
    from trustdialog.store.shared_files import in_store

    try:
        return in_store()
    except StoreError as error:
        raise AccessError(str(error)) from None


def shown(path: Path) -> str:
    """How messages name the access (or invite) file: its path, or where in the database it is."""
    files = shared_files()
    return files.shown(path.name) if files is not None else str(path)


def read_text(path: Path, limit: int) -> bytes | None:
    """The file's bytes (None when there is none), from disk or the store; AccessError on failure."""
    from trustdialog.store.records import StoreError

    files = shared_files()
    if files is not None:
        try:
            text = files.read(path.name)
        except StoreError as error:
            raise AccessError(str(error)) from None
        return None if text is None else text.encode("utf-8")
    if not os.path.lexists(path):
        return None
    try:
        return read_regular_file(path, limit)
    except FileReadError as error:
        raise AccessError(f"cannot read {path}: {error.reason}") from None


def write_text(path: Path, text: str) -> None:
    """Write the file, to disk (0600, atomically) or to the store; AccessError when the store fails."""
    from trustdialog.store.records import StoreError

    files = shared_files()
    if files is None:
        write_private(path, text)
        return
    try:
        files.write(path.name, text)
    except StoreError as error:
        raise AccessError(str(error)) from None


def stamp(path: Path) -> object:
    """What changes whenever the file is written (None: there is none); AccessError on failure."""
    from trustdialog.store.records import StoreError

    files = shared_files()
    if files is not None:
        try:
            return files.stamp(path.name)
        except StoreError as error:
            raise AccessError(str(error)) from None
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


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
    couple: str | None = None  # set for the two people of a couple, with their partner
    partner: Partner | None = None

    @property
    def identity(self) -> Identity:
        """Who the app is told this is. A client on their own is a couple of one, named
        after them, with no partner: they play both panes."""
        if self.role == "facilitator":
            return Identity(self.name, "facilitator")
        return Identity(self.name, "client", self.couple or self.name, self.partner)

    @property
    def partner_letter(self) -> str:
        return (self.partner or "").upper()

    @property
    def place(self) -> str:
        """Where they stand, in words: 'facilitator', 'client', 'partner A of sam-and-kim'."""
        if self.couple is not None and self.partner is not None:
            return f"partner {self.partner.upper()} of {self.couple}"
        return self.role


def is_partner(value: object) -> TypeGuard[Partner]:
    """Whether `value` is a partner letter, a or b."""
    return value in PARTNERS


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
    """The people in an access file, kept in file order (couple members carry their couple)."""

    def __init__(self, people: list[Person] | None = None) -> None:
        self.people: list[Person] = people or []

    # -- reading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> AccessList:
        """Read `path`; a missing file is an empty list. AccessError names the first problem."""
        raw = read_text(path, ACCESS_FILE_LIMIT)
        if raw is None:
            return cls()
        named = shown(path)
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise AccessError(f"{named}: {error}") from None
        access = cls()
        entries = data.get("people", [])
        if not isinstance(entries, list):
            raise AccessError(f"{named}: 'people' must be a list of [[people]] tables")
        for number, entry in enumerate(entries, 1):
            where = f"{named}: person {number}"
            if not isinstance(entry, dict):
                raise AccessError(f"{where}: must be a [[people]] table")
            name, keys = access._read_person(entry, where)
            role = entry.get("role", "client")
            if not is_role(role):
                raise AccessError(f"{where} ({name}): role must be facilitator or client (got {role!r})")
            access.people.append(Person(name, role, keys))
        couples = data.get("couples", [])
        if not isinstance(couples, list):
            raise AccessError(f"{named}: 'couples' must be a list of [[couples]] tables")
        for number, entry in enumerate(couples, 1):
            where = f"{named}: couple {number}"
            if not isinstance(entry, dict):
                raise AccessError(f"{where}: must be a [[couples]] table")
            couple, members = entry.get("name"), entry.get("people", [])
            if not isinstance(couple, str) or not _NAME.fullmatch(couple):
                raise AccessError(f"{where}: name must be 1-64 letters, digits or ._@+- (got {couple!r})")
            if any(p.couple == couple for p in access.people):
                raise AccessError(f"{where}: the couple '{couple}' is listed twice")
            if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
                raise AccessError(f"{where} ({couple}): people must be [[couples.people]] tables")
            for member in members:
                name, keys = access._read_person(member, f"{where} ({couple})")
                partner = member.get("partner")
                if not is_partner(partner):
                    raise AccessError(f"{where} ({couple}): {name}'s partner must be a or b (got {partner!r})")
                try:
                    access._check_place(name, couple, partner)
                except AccessError as error:
                    raise AccessError(f"{where}: {error}") from None
                access.people.append(Person(name, "client", keys, couple, partner))
        for person in access.people:
            if person.couple is None and person.role == "client" and access.members(person.name):
                raise AccessError(f"{named}: '{person.name}' is both a client on their own and a couple; "
                                  "rename one of them")
        return access

    def _read_person(self, entry: dict[str, Any], where: str) -> tuple[str, list[PublicKey]]:
        """The name and keys of one person's table, checked against everyone read so far."""
        name, keys = entry.get("name"), entry.get("keys", [])
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise AccessError(f"{where}: name must be 1-64 letters, digits or ._@+- (got {name!r})")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise AccessError(f"{where} ({name}): keys must be a list of strings")
        try:
            parsed = [parse_key(k) for k in keys]
        except AccessError as error:
            raise AccessError(f"{where} ({name}): {error}") from None
        self._check_new(name, parsed, where)
        return name, parsed

    def _check_new(self, name: str, keys: list[PublicKey], where: str) -> None:
        if self.find(name) is not None:
            raise AccessError(f"{where}: '{name}' is listed twice")
        for key in keys:
            owner = self.owner_of(key.blob)
            if owner is not None:
                raise AccessError(f"{where} ({name}): key {key.fingerprint} already belongs to '{owner.name}'")

    def _check_place(self, name: str, couple: str, partner: Partner) -> None:
        """That `name` may be `partner` of `couple`: a couple is two people, one per partner."""
        solo = self.find(couple)
        if solo is not None and solo.name != name and solo.couple is None and solo.role == "client":
            # A client on their own is a couple of one under their own name: one name, one couple.
            raise AccessError(f"'{couple}' is already a client on their own; choose another couple name")
        others = [p for p in self.members(couple) if p.name != name]
        if len(others) >= 2:
            listed = " and ".join(f"{p.name} (partner {p.partner_letter})" for p in others)
            raise AccessError(f"the couple '{couple}' already has two people, {listed}; "
                              "a couple is two people")
        for other in others:
            if other.partner == partner:
                raise AccessError(f"partner {partner.upper()} of '{couple}' is already {other.name}; "
                                  "each partner is one person")

    def find(self, name: str) -> Person | None:
        return next((p for p in self.people if p.name == name), None)

    def owner_of(self, blob: bytes) -> Person | None:
        """Who holds this key (matched on the key itself, never the comment)."""
        return next((p for p in self.people if any(k.blob == blob for k in p.keys)), None)

    def members(self, couple: str) -> list[Person]:
        """The people of `couple`, partner A first."""
        return sorted((p for p in self.people if p.couple == couple), key=lambda p: p.partner or "")

    def couples(self) -> list[str]:
        """Every couple's name, in file order."""
        return list(dict.fromkeys(p.couple for p in self.people if p.couple is not None))

    # -- changing ------------------------------------------------------------------------

    def check_add(self, name: str, role: str, couple: str | None = None,
                  partner: str | None = None) -> tuple[Role, str | None, Partner | None]:
        """That `name` may be added (or updated) as given; returns the role, couple and
        partner they would have. AccessError says why not, in one line."""
        if not _NAME.fullmatch(name):
            raise AccessError(f"name must be 1-64 letters, digits or ._@+- (got {name!r})")
        if not is_role(role):
            raise AccessError(f"role must be facilitator or client (got {role!r})")
        if (couple is None) != (partner is None):
            raise AccessError("a couple and a partner go together: give both --couple and --partner")
        person = self.find(name)
        if couple is None and person is not None:
            couple, partner = person.couple, person.partner  # more keys: they stay where they are
        if couple is None:
            if role == "client" and self.members(name) and (person is None or person.couple != name):
                raise AccessError(f"'{name}' is the name of a couple; a client on their own needs another name")
            return role, None, None
        if role == "facilitator":
            raise AccessError("a facilitator is not part of a couple; leave out --couple and --partner")
        if not _NAME.fullmatch(couple):
            raise AccessError(f"couple name must be 1-64 letters, digits or ._@+- (got {couple!r})")
        if not is_partner(partner):
            raise AccessError(f"partner must be a or b (got {partner!r})")
        self._check_place(name, couple, partner)
        return "client", couple, partner

    def add(self, name: str, role: str, keys: list[PublicKey], couple: str | None = None,
            partner: str | None = None) -> tuple[Person, int]:
        """Add a person, or more keys (and the given role or couple) to one; returns
        (person, keys added)."""
        checked_role, checked_couple, checked_partner = self.check_add(name, role, couple, partner)
        for key in keys:
            owner = self.owner_of(key.blob)
            if owner is not None and owner.name != name:
                raise AccessError(f"key {key.fingerprint} already belongs to '{owner.name}'")
        person = self.find(name)
        if person is None:
            person = Person(name, checked_role)
            self.people.append(person)
        person.role, person.couple, person.partner = checked_role, checked_couple, checked_partner
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

    def to_toml(self) -> dict[str, Any]:
        """The file's contents: people on their own, then couples (only when there are any,
        so a file without couples reads exactly as before)."""
        data: dict[str, Any] = {"people": [
            {"name": p.name, "role": p.role, "keys": [k.line for k in p.keys]}
            for p in self.people if p.couple is None]}
        couples = [{"name": couple, "people": [
            {"name": p.name, "partner": p.partner, "keys": [k.line for k in p.keys]}
            for p in self.members(couple)]} for couple in self.couples()]
        if couples:
            data["couples"] = couples
        return data

    def save(self, path: Path) -> None:
        """Write the file 0600, atomically (a reader never sees half a file)."""
        import tomli_w

        text = _HEADER + tomli_w.dumps(self.to_toml(), multiline_strings=False)
        write_text(path, text)


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` 0600 through a temporary file and a rename, so a reader sees
    the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
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
        self._stamp: object = None
        self._current = AccessList()
        self.refresh()

    def refresh(self) -> AccessList:
        try:
            now = stamp(self.path)
        except AccessError as error:  # the database is away: keep the last good list
            if self._on_error:
                self._on_error(f"access list not reloaded, keeping the last good one: {error}")
            return self._current
        if now != self._stamp:
            self._stamp = now
            try:
                self._current = AccessList.load(self.path)
            except AccessError as error:
                if self._on_error:
                    self._on_error(f"access file not reloaded, keeping the last good one: {error}")
        return self._current
