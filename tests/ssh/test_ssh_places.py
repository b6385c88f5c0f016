"""A connection is its sessions' registry, built from what the server shares, with no server.

Its login holds one place; its first app sits in that place, any more take places
of their own, and --max-sessions counts them all.
"""

from __future__ import annotations

from pathlib import Path

from trustdialog.ssh.access import AccessWatcher, Person
from trustdialog.ssh.invites import InviteWatcher
from trustdialog.ssh.server import Connection, Places, Shared
from trustdialog.ssh.session import SessionSettings
from trustdialog.ssh.throttle import LoginThrottle


def _shared(tmp_path: Path, limit: int) -> Shared:
    return Shared(AccessWatcher(tmp_path / "access.toml"), LoginThrottle(), Places(limit),
                  SessionSettings(child_argv=("true",)), app_wait=0,  # 0: no timer, no loop
                  invites=InviteWatcher(tmp_path / "access-invites.toml"),
                  access_file=tmp_path / "access.toml")


def _logged_in(shared: Shared, name: str) -> Connection:
    connection = Connection(shared)
    connection._candidate = Person(name, "client")  # what validate_public_key records
    connection.auth_completed()
    return connection


def test_apps_fill_the_connection_place_first_then_their_own(tmp_path):
    shared = _shared(tmp_path, limit=3)
    ann = _logged_in(shared, "ann")
    assert ann.identity is not None and ann.identity.person == "ann"
    first, second, third = object(), object(), object()  # a registry only needs hashables
    assert ann.register(first) and ann.count() == 1  # in the place the login took
    assert ann.register(second) and ann.count() == 2
    bob = _logged_in(shared, "bob")
    assert ann.count() == 3
    assert not ann.register(third)  # full: nothing taken, nothing listed
    assert shared.sessions == {first, second}

    ann.unregister(first)  # the second app moves into the connection's place
    assert ann.count() == 2 and shared.sessions == {second}
    assert ann.register(third) and ann.count() == 3
    ann.unregister(object())  # never registered: ignored
    assert ann.count() == 3

    bob.connection_lost(None)
    assert ann.count() == 2


def test_a_full_server_still_counts_a_login_without_a_place(tmp_path):
    shared = _shared(tmp_path, limit=1)
    _logged_in(shared, "ann")
    carol = _logged_in(shared, "carol")  # logged in, but the server had no room
    assert not carol.register(object())
    assert carol.count() == 1 and not shared.sessions
