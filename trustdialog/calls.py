"""Who is asking for the facilitator: the words each session list shows beside an open call.

One small function for every list (`trustdialog sessions`, the app's own lists),
so a call reads the same wherever the facilitator looks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping

from trustdialog.text import clean

if TYPE_CHECKING:
    from trustdialog.engine import Event
    from trustdialog.store import SessionInfo, Store


def asked_for_you(names: Mapping[str, str], partners: Iterable[str]) -> str | None:
    """ "Sam asked for you" (or "Sam and Ana asked for you"); None when nobody is asking."""
    who = [clean(names.get(p, p)).replace("\n", " ") for p in partners]
    if not who:
        return None
    return f"{' and '.join(who)} asked for you"


def session_calls(events: Iterable[Event], names: Mapping[str, str]) -> str | None:
    """The call line of one session, from its log."""
    from trustdialog.engine.room import open_calls

    return asked_for_you(names, open_calls(events))


def calls_by_session(store: Store, infos: Iterable[SessionInfo]) -> dict[str, str]:
    """The call line of each unfinished session that has an open call (a finished one has none)."""
    from trustdialog.store import StoreError

    found: dict[str, str] = {}
    for info in infos:
        if info.finished:
            continue
        try:
            line = session_calls(store.events(info.id), info.names)
        except StoreError:  # a damaged log is reported by the listing itself
            continue
        if line is not None:
            found[info.id] = line
    return found
