"""One-time invite codes: made by `trustdialog invite`, kept hashed, used up when a new key enrols.

The invite file sits next to the access file, 0600, one `[[invites]]` table per invite:

    [[invites]]
    id = "3f9a2c1e"                 # for `invite list` and `invite revoke`; not the code
    name = "sam"
    role = "client"
    couple = "sam-and-kim"          # with partner, for one of a couple
    partner = "a"
    salt = "9c0f..."                # the code itself is never written: only
    digest = "5be1..."              # sha256(salt + code as typed, normalised)
    created = 2026-12-02 15:00:00+00:00
    expires = 2026-12-05 15:00:00+00:00
    used = 2026-12-02 15:20:00+00:00  # once used, with the key and the address that used it
    used_key = "SHA256:..."
    used_from = "203.0.113.5:50122"

Used and expired invites are kept for a while, so a late code is told "expired" or
"already used" rather than "wrong", then dropped.

With a PostgreSQL store the same text is kept in the database beside the access list (see
trustdialog/store/shared_files.py): a code made on one host works on every host, once.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

from trustdialog.identity import Partner, Role, is_role
from trustdialog.ssh.access import (
    AccessError, AccessList, PublicKey, is_partner, read_text, shared_files, shown as shown_file,
    stamp, write_text,
)

# Letters and digits that cannot be misread for one another when read aloud or copied by
# hand: no 0/O, no 1/I/L. 31 symbols, 12 of them: about 59 bits, far beyond guessing
# through the login throttle in the days an invite lasts.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP_SIZE = 3, 4
DEFAULT_VALID = timedelta(hours=72)
LONGEST_VALID = timedelta(days=30)
KEPT_AFTER = timedelta(days=30)  # a used or expired invite is remembered this long
INVITE_FILE_LIMIT = 1024 * 1024
_HEADER = (
    "# trustdialog invites: one-time codes that let a new key in. The codes are not here,\n"
    "# only their salted hashes. Manage with `trustdialog invite`, `invite list|revoke`.\n\n"
)
_DURATION = re.compile(r"\s*(\d+)\s*([mhd]?)\s*", re.IGNORECASE)

State = Literal["waiting", "used", "expired"]


class InviteError(Exception):
    """The invite file cannot be used, or an invite cannot be made; the message says why."""


def invites_path(access_file: Path) -> Path:
    """Where the invites for `access_file` are kept: beside it, named after it."""
    return access_file.with_name(f"{access_file.stem}-invites.toml")


def new_code() -> str:
    """A fresh code in groups, such as KX7Q-4MPR-9TWD."""
    return shown("".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE)))


def normalise(code: str) -> str:
    """The code as compared: capitals, without the dashes and spaces people type or not."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def shown(code: str) -> str:
    plain = normalise(code)
    return "-".join(plain[i:i + GROUP_SIZE] for i in range(0, len(plain), GROUP_SIZE))


def parse_valid(text: str) -> timedelta:
    """A validity such as 24h, 3d or 90m (a bare number is hours)."""
    match = _DURATION.fullmatch(text)
    if not match:
        raise InviteError(f"--valid must be a number of hours, days or minutes, such as 24h, 3d or 90m "
                          f"(got {text!r})")
    amount, unit = int(match.group(1)), (match.group(2) or "h").lower()
    valid = {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount)}[unit]
    if valid <= timedelta(0) or valid > LONGEST_VALID:
        raise InviteError(f"--valid must be more than nothing and at most 30 days (got {text})")
    return valid


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + normalise(code).encode("ascii", "replace")).hexdigest()


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def when(moment: datetime) -> str:
    """A moment as people read it in an email: 2026-12-05 15:00 UTC."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class Invite:
    """One invite: for whom, until when, and whether it was used (never the code)."""

    id: str
    name: str
    role: Role
    couple: str | None
    partner: Partner | None
    salt: str
    digest: str
    created: datetime
    expires: datetime
    used: datetime | None = None
    used_key: str | None = None
    used_from: str | None = None

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(_digest(self.salt, code), self.digest)

    def state(self, now: datetime) -> State:
        if self.used is not None:
            return "used"
        return "expired" if now >= self.expires else "waiting"

    @property
    def place(self) -> str:
        if self.couple is not None and self.partner is not None:
            return f"partner {self.partner.upper()} of {self.couple}"
        return self.role

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "name": self.name, "role": self.role}
        if self.couple is not None and self.partner is not None:
            data |= {"couple": self.couple, "partner": self.partner}
        data |= {"salt": self.salt, "digest": self.digest, "created": self.created, "expires": self.expires}
        if self.used is not None:
            data["used"] = self.used
            data["used_key"] = self.used_key or ""
            data["used_from"] = self.used_from or ""
        return data


def _read_invite(entry: object, where: str) -> Invite:
    if not isinstance(entry, dict):
        raise InviteError(f"{where}: must be an [[invites]] table")
    strings = {k: entry.get(k) for k in ("id", "name", "salt", "digest")}
    if not all(isinstance(v, str) and v for v in strings.values()):
        raise InviteError(f"{where}: id, name, salt and digest must be set")
    role, couple, partner = entry.get("role", "client"), entry.get("couple"), entry.get("partner")
    if not is_role(role):
        raise InviteError(f"{where}: role must be facilitator or client (got {role!r})")
    if (couple is None) != (partner is None) or (couple is not None and not isinstance(couple, str)):
        raise InviteError(f"{where}: couple and partner go together")
    if partner is not None and not is_partner(partner):
        raise InviteError(f"{where}: partner must be a or b (got {partner!r})")
    created, expires, used = entry.get("created"), entry.get("expires"), entry.get("used")
    if not all(isinstance(t, datetime) and t.tzinfo for t in (created, expires)) or (
            used is not None and not (isinstance(used, datetime) and used.tzinfo)):
        raise InviteError(f"{where}: created, expires and used must be dates with a time zone")
    try:
        bytes.fromhex(str(strings["salt"]))
    except ValueError:
        raise InviteError(f"{where}: salt must be hexadecimal") from None
    return Invite(
        id=str(strings["id"]), name=str(strings["name"]), role=role, couple=couple, partner=partner,
        salt=str(strings["salt"]), digest=str(strings["digest"]), created=created,  # type: ignore[arg-type]
        expires=expires, used=used,  # type: ignore[arg-type]  # checked above
        used_key=str(entry.get("used_key") or "") or None, used_from=str(entry.get("used_from") or "") or None)


def load(path: Path) -> list[Invite]:
    """The invites in `path`; a missing file holds none."""
    try:
        raw = read_text(path, INVITE_FILE_LIMIT)
    except AccessError as error:
        raise InviteError(str(error)) from None
    if raw is None:
        return []
    named = shown_file(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InviteError(f"{named}: {error}") from None
    entries = data.get("invites", [])
    if not isinstance(entries, list):
        raise InviteError(f"{named}: 'invites' must be a list of [[invites]] tables")
    return [_read_invite(entry, f"{named}: invite {number}") for number, entry in enumerate(entries, 1)]


def save(path: Path, invites: list[Invite], now: datetime | None = None) -> None:
    """Write the invites 0600, atomically, dropping those used or expired long ago."""
    import tomli_w

    moment = now or now_utc()
    kept = [i for i in invites if max(i.expires, i.used or i.expires) + KEPT_AFTER > moment]
    try:
        write_text(path, _HEADER + tomli_w.dumps({"invites": [i.to_toml() for i in kept]}))
    except AccessError as error:
        raise InviteError(str(error)) from None


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the invite file's lock: the server using a code and `invite` writing the file
    never undo each other's change (and a code is used up once, even by two servers).

    With the files in the database, one transaction under a lock every host takes:
    the invite used up and the key enrolled land together, or neither does."""
    from trustdialog.store.records import StoreError

    try:
        files = shared_files()
    except AccessError as error:
        raise InviteError(str(error)) from None
    if files is not None:
        try:
            with files.locked():
                yield
        except StoreError as error:
            raise InviteError(str(error)) from None
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing lets go of the lock


def create(path: Path, name: str, role: Role, couple: str | None, partner: Partner | None,
           valid: timedelta = DEFAULT_VALID, now: datetime | None = None) -> tuple[Invite, str]:
    """Make and store a new invite; returns it and its code (shown once, never stored)."""
    moment = now or now_utc()
    code = new_code()
    salt = secrets.token_hex(16)
    with locked(path):
        invites = load(path)
        taken = {i.id for i in invites}
        invite_id = secrets.token_hex(4)
        while invite_id in taken:
            invite_id = secrets.token_hex(4)
        invite = Invite(invite_id, name, role, couple, partner, salt, _digest(salt, code),
                        created=moment, expires=moment + valid)
        save(path, [*invites, invite], moment)
    return invite, code


def revoke(path: Path, invite_id: str) -> Invite:
    """Remove an invite, so its code no longer works."""
    with locked(path):
        invites = load(path)
        found = next((i for i in invites if i.id == invite_id.strip().lower()), None)
        if found is None:
            listed = ", ".join(i.id for i in invites) or "none"
            raise InviteError(f"no invite with id '{invite_id}' (invites: {listed})")
        save(path, [i for i in invites if i is not found])
    return found


@dataclass(frozen=True)
class Outcome:
    """What a typed code did: enrolled a key, or why not."""

    result: Literal["enrolled", "wrong", "expired", "used", "refused"]
    invite: Invite | None = None
    message: str = ""


def redeem(path: Path, access_file: Path, code: str, key: PublicKey, peer: str,
           now: datetime | None = None) -> Outcome:
    """Check `code`; if it belongs to a waiting invite, add `key` to the access file for
    its person and use the invite up. The file is written before the invite is marked
    used, so a failure in between leaves a code that still works, never a lost one."""
    moment = now or now_utc()
    if not normalise(code):
        return Outcome("wrong")
    with locked(path):
        invites = load(path)
        invite = next((i for i in invites if i.matches(code)), None)
        if invite is None:
            return Outcome("wrong")
        state = invite.state(moment)
        if state != "waiting":
            return Outcome(state, invite)
        # The client sends no comment with its key; this one says where the key came from.
        labelled = replace(key, line=f"{key.line.split()[0]} {key.line.split()[1]} "
                                     f"invite-{invite.id}-{moment:%Y-%m-%d}")
        try:
            access = AccessList.load(access_file)
            known = access.find(invite.name)
            if known is not None and (known.role, known.couple, known.partner) != (
                    invite.role, invite.couple, invite.partner):
                # An invite lets a key in where it said; it never moves or promotes anyone.
                now_as = known.place if known.couple else f"a {known.role}"
                meant = invite.place if invite.couple else f"a {invite.role}"
                raise AccessError(f"{invite.name} is now {now_as} in the access file, "
                                  f"and the invite was for {meant}")
            access.add(invite.name, invite.role, [labelled], invite.couple, invite.partner)
            access.save(access_file)
        except AccessError as error:
            return Outcome("refused", invite, str(error))
        invite.used, invite.used_key, invite.used_from = moment, key.fingerprint, peer
        save(path, invites, moment)
    return Outcome("enrolled", invite)


class InviteWatcher:
    """The server's view of the invite file: whether any invite is there at all (only
    then is a code asked for), re-read when it changes."""

    def __init__(self, path: Path, on_error: Callable[[str], None] | None = None) -> None:
        self.path = path
        self._on_error = on_error
        self._stamp: object = None
        self._any = False

    def any(self) -> bool:
        try:
            now = stamp(self.path)
        except AccessError as error:  # the database is away: no code is asked for meanwhile
            if self._on_error:
                self._on_error(f"invite codes are not asked for while the invites cannot be read: {error}")
            return False
        if now != self._stamp:
            self._stamp = now
            try:
                self._any = bool(load(self.path))
            except InviteError as error:
                self._any = False  # a broken file lets no code in
                if self._on_error:
                    self._on_error(f"invite codes are not asked for until the invite file is mended: {error}")
        return self._any
