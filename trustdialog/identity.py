"""Who is connected: the one typed identity the SSH server hands to the app it starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

Role = Literal["facilitator", "client"]
Partner = Literal["a", "b"]
ROLES: tuple[str, ...] = get_args(Role)
PARTNERS: tuple[str, ...] = get_args(Partner)


def is_role(value: object) -> TypeGuard[Role]:
    """Whether `value` is one of ROLES (a role read from a file or the command line)."""
    return value in ROLES

# The environment variables that carry an identity from the server to the app process.
# They are the only place these names are spelled.
ENV_PERSON = "TRUSTDIALOG_USER"
ENV_ROLE = "TRUSTDIALOG_ROLE"
ENV_COUPLE = "TRUSTDIALOG_COUPLE"
ENV_PARTNER = "TRUSTDIALOG_PARTNER"
ENV_NAMES = (ENV_PERSON, ENV_ROLE, ENV_COUPLE, ENV_PARTNER)


class IdentityError(ValueError):
    """An identity that cannot be: the message says which part, in one line."""


@dataclass(frozen=True)
class Identity:
    """A person, their role and, for a client, their couple and which partner they are."""

    person: str
    role: Role
    couple: str | None = None
    partner: Partner | None = None

    def __post_init__(self) -> None:
        if not self.person:
            raise IdentityError("an identity needs a person")
        if self.role not in ROLES:
            raise IdentityError(f"role must be facilitator or client (got {self.role!r})")
        if self.partner is not None and self.partner not in PARTNERS:
            raise IdentityError(f"partner must be a or b (got {self.partner!r})")
        if self.partner is not None and self.couple is None:
            raise IdentityError("a partner belongs to a couple; the couple is missing")

    def to_env(self) -> dict[str, str]:
        """The variables to set in the app's environment (absent parts are left out)."""
        env = {ENV_PERSON: self.person, ENV_ROLE: self.role}
        if self.couple is not None:
            env[ENV_COUPLE] = self.couple
        if self.partner is not None:
            env[ENV_PARTNER] = self.partner
        return env

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Identity | None:
        """The identity in `environ` (default: this process's), or None at a local terminal.

        A half-set or malformed identity is an IdentityError, never a guess: the server
        always sets person and role together.
        """
        env = os.environ if environ is None else environ
        person, role = env.get(ENV_PERSON) or None, env.get(ENV_ROLE) or None
        couple, partner = env.get(ENV_COUPLE) or None, env.get(ENV_PARTNER) or None
        if person is None and role is None and couple is None and partner is None:
            return None
        if person is None or role is None:
            raise IdentityError(f"{ENV_PERSON} and {ENV_ROLE} must be set together")
        return cls(person, role, couple, partner)  # type: ignore[arg-type]  # checked above
