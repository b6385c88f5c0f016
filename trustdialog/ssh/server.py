"""The SSH server: public-key logins from the access file (or an invite code that enrols a
new key), one app per connection, nothing else."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
from asyncssh.auth import KbdIntChallenge, KbdIntResponse

from trustdialog.identity import Identity
from trustdialog.ssh import hostkey, invites, subreaper
from trustdialog.ssh.activity import SessionActivity, apps_store
from trustdialog.ssh.access import AccessError, AccessWatcher, Person, PublicKey, parse_key
from trustdialog.ssh.invites import InviteError, InviteWatcher
from trustdialog.ssh.session import AppSession, SessionSettings, base_environment
from trustdialog.ssh.template import AppTemplate
from trustdialog.ssh.throttle import LoginThrottle

log = logging.getLogger("trustdialog.ssh")

# More keys than this offered on one connection and it is dropped (OpenSSH's MaxAuthTries is 6;
# agents holding many keys need a little more room).
MAX_KEYS_PER_CONNECTION = 10
# Forwarding of any kind is refused with the reason OpenSSH clients print as
# "administratively prohibited" (a plain refusal reads as "connect failed: Connection refused").
_NO_FORWARDING = asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                           "this server does not forward connections")
# Invite codes one connection may try before it is asked no more.
MAX_CODES_PER_CONNECTION = 3
# What someone whose ssh offered no key is told (as a banner, which ssh shows as it is).
NO_KEY_MESSAGE = (
    "This server lets people in by their SSH key, and your ssh did not offer one. "
    "To make a key, type: ssh-keygen -t ed25519 (press Enter to keep the place it suggests; "
    "a passphrase is up to you). Then connect again with the same ssh line, and type your "
    "invite code when you are asked for it.\r\n"
)
CODE_PROMPT = "Invite code: "
CODE_INSTRUCTION = "This server does not know your key yet. If you were sent an invite code, type it now."
WRONG_CODE_INSTRUCTION = "That code did not work. Check it and type it again."
EXPIRED_MESSAGE = "This invite code has expired. Please ask whoever sent it for a new one."
USED_MESSAGE = ("This invite code has already been used. If that was you, connect again from the "
                "same computer; otherwise please ask for a new code.")


@dataclass
class ServerConfig:
    data_dir: Path
    access_file: Path
    host_key_file: Path
    host: str = "127.0.0.1"
    port: int = 2222
    child_argv: list[str] | None = None  # default: this Python running trustdialog on data_dir
    app_args: list[str] = field(default_factory=list)  # extra options for the default child
    idle_timeout: float = 3600.0  # seconds without a key press; 0 = never
    idle_warning: float = 120.0  # seconds of warning before the idle timeout
    max_sessions: int = 20
    keepalive_interval: float = 30.0
    keepalive_count_max: int = 3
    # As OpenSSH's LoginGraceTime: time for a newcomer to check the fingerprint and type a code.
    login_timeout: float = 120.0
    hangup_grace: float = 3.0  # seconds between SIGHUP and SIGTERM for an app being ended
    # Seconds a logged-in connection may go without a running app (`ssh -N`, or after its
    # app ended) before it is closed: it holds a place all the while.
    app_wait: float = 10.0
    invite_file: Path | None = None  # default: beside the access file (invites.invites_path)
    # Apps start as forks of a pre-imported template process (when the app command is
    # `python -m NAME` or `python FILE.py` and the system has child subreapers); False: a
    # fresh interpreter for each, as before.
    template: bool = True
    template_timeout: float = 3.0  # seconds a template may take to fork an app before it is replaced


def app_command(config: ServerConfig) -> list[str]:
    """The command each session runs: `child_argv`, or this Python running trustdialog on the data."""
    if config.child_argv:
        return list(config.child_argv)
    return [sys.executable, "-m", "trustdialog", "--data-dir", str(config.data_dir), *config.app_args]


def session_settings(config: ServerConfig, template: AppTemplate | None = None,
                     activity: SessionActivity | None = None) -> SessionSettings:
    """The part of the configuration a session is given (it never sees the server)."""
    return SessionSettings(
        child_argv=tuple(app_command(config)), idle_timeout=config.idle_timeout,
        idle_warning=config.idle_warning, max_sessions=config.max_sessions,
        hangup_grace=config.hangup_grace, template=template, activity=activity)


def app_template(config: ServerConfig) -> AppTemplate | None:
    """The template the apps are forked from, or None when they start fresh (see ServerConfig)."""
    if not config.template or not AppTemplate.can_run(app_command(config)):
        return None
    if not hasattr(os, "pidfd_open") or not subreaper.become():
        log.info("apps start with a fresh interpreter: this system cannot hand forked apps to the server")
        return None
    return AppTemplate(base_environment(), timeout=config.template_timeout, preload=template_preload(config))


def template_preload(config: ServerConfig) -> tuple[str, ...]:
    """Modules the template imports for these apps beyond its own list: the PostgreSQL store
    (psycopg and libpq, about 8 MiB an app imported after the fork) when that is where they save."""
    if config.child_argv:
        return ()
    url = apps_store(config.data_dir, config.app_args) or ""
    return ("trustdialog.store.postgres",) if url.startswith(("postgresql:", "postgres:")) else ()


class Places:
    """The server's places, against --max-sessions: one for each logged-in connection
    (an app or not), one more for each extra app a connection runs (multiplexing clients)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._holders: set[object] = set()

    def register(self, holder: object) -> bool:
        if holder in self._holders:
            return True
        if len(self._holders) >= self.limit:
            return False
        self._holders.add(holder)
        return True

    def unregister(self, holder: object) -> None:
        self._holders.discard(holder)

    def count(self) -> int:
        return len(self._holders)


@dataclass(frozen=True, eq=False)  # one per server, compared by identity
class Shared:
    """What the server hands each connection: who may log in, the login throttle, the
    places, what its sessions are given, and the server's lists it keeps up to date."""

    access: AccessWatcher
    throttle: LoginThrottle
    places: Places
    session_settings: SessionSettings
    app_wait: float  # see ServerConfig.app_wait
    invites: InviteWatcher
    access_file: Path
    connections: set[Connection] = field(default_factory=set)
    sessions: set[AppSession] = field(default_factory=set)  # those with a place (their app running)


class Connection(asyncssh.SSHServer):
    """One client connection: who it is, what it may not do, and the place it holds.

    To its sessions it is their registry: the first app sits in the connection's own
    place, any more take places of their own."""

    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self.conn: asyncssh.SSHServerConnection | None = None
        self.peer = ("?", 0)
        self.person: Person | None = None
        self.identity: Identity | None = None
        self._candidate: Person | None = None
        self._offered: PublicKey | None = None  # the first unknown key: the one a code enrols
        self._codes_tried = 0
        self._tried = False
        self._rejected_keys = 0
        self._failure_recorded = False
        self._has_place = False  # the connection's own place (taken at login, if the server had room)
        self._in_own_place: AppSession | None = None
        self._apps: set[AppSession] = set()
        self._no_app_timer: asyncio.TimerHandle | None = None

    @property
    def peer_text(self) -> str:
        host, port = self.peer[0], self.peer[1]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def who(self) -> str:
        if self.person is None:
            return "not logged in"
        if self.person.couple is not None:
            return f"{self.person.name}/{self.person.role} ({self.person.place})"
        return f"{self.person.name}/{self.person.role}"

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        self.peer = (str(peer[0]), int(peer[1]))
        self.shared.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.shared.connections.discard(self)
        self._cancel_no_app_timer()
        self.shared.places.unregister(self)
        if self.person is None and self._tried:
            if not self._failure_recorded:
                self.shared.throttle.failed(self.peer[0])
            log.info("login failed from %s (%d unknown keys)", self.peer_text, self._rejected_keys)

    # -- authentication: public keys from the access file only --------------------------

    def begin_auth(self, username: str) -> bool:
        # No delay here: a known key is never kept waiting, whatever its address did before.
        self._tried = True
        return True

    def public_key_auth_supported(self) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        # Asked for only while there are invites: without any, a key is the only way in.
        return self._codes_tried < MAX_CODES_PER_CONNECTION and self.shared.invites.any()

    def host_based_auth_supported(self) -> bool:
        return False

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # The SSH user name is ignored: the key says who this is.
        person = self.shared.access.refresh().owner_of(key.public_data)
        if person is not None:
            # asyncssh validates the signed request last, right before success, so the
            # person recorded here is the one whose key signed (as with its own key options).
            self._candidate = person
            return True
        self._rejected_keys += 1
        if self._offered is None:
            # OpenSSH offers its keys in the same order each time, so the first one offered
            # here is the one it will offer first when it connects again.
            try:
                self._offered = parse_key(key.export_public_key("openssh").decode("ascii"))
            except AccessError:
                pass
        if self._rejected_keys > MAX_KEYS_PER_CONNECTION and self.conn:
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, "too many keys")
            return False
        if not self._failure_recorded:
            # The first unknown key of a connection is its failed login: the "no" waits for
            # the address's earlier failures, in line behind its other attempts still waiting.
            self._failure_recorded = True
            address = self.peer[0]
            before = self.shared.throttle.failures(address)
            wait = self.shared.throttle.refuse(address)
            if wait:
                log.info("slowing down %s: %d failed logins, waiting %.1fs", address, before, wait)
                await asyncio.sleep(wait)
        return False

    # -- invite codes: keyboard-interactive, only to enrol the key just offered ----------

    def get_kbdint_challenge(self, username: str, lang: str,
                             submethods: str) -> KbdIntChallenge:
        if self._offered is None:
            if self.conn:
                self.conn.send_auth_banner(NO_KEY_MESSAGE)
            log.info("no key offered from %s: told how to make one", self.peer_text)
            return False
        instruction = WRONG_CODE_INSTRUCTION if self._codes_tried else CODE_INSTRUCTION
        return "", instruction, "", [(CODE_PROMPT, True)]

    async def validate_kbdint_response(self, username: str,
                                       responses: KbdIntResponse) -> KbdIntChallenge:
        key = self._offered
        if key is None or len(responses) != 1:
            return False
        self._codes_tried += 1
        path = self.shared.invites.path
        try:
            outcome = invites.redeem(path, self.shared.access_file, responses[0], key, self.peer_text)
        except (InviteError, OSError) as error:
            log.error("invite code from %s not checked: %s", self.peer_text, error)
            return False
        invite = outcome.invite
        if outcome.result == "enrolled" and invite is not None:
            person = self.shared.access.refresh().find(invite.name)
            if person is None or all(k.blob != key.blob for k in person.keys):
                log.error("enrolled %s but the access file does not show the key", invite.name)
                return False
            log.info("enrolled %s (%s) key %s from %s with invite %s", person.name, person.place,
                     key.fingerprint, self.peer_text, invite.id)
            self._candidate = person
            return True
        if outcome.result == "wrong":
            # A wrong code is a failed login like an unknown key: slowed down, in line.
            address = self.peer[0]
            before = self.shared.throttle.failures(address)
            wait = self.shared.throttle.refuse(address)
            log.info("wrong invite code from %s (%d failed logins before, waiting %.1fs)",
                     self.peer_text, before, wait)
            if wait:
                await asyncio.sleep(wait)
            return False
        invite_id = invite.id if invite else "?"
        if outcome.result == "expired":
            log.info("expired invite %s tried from %s", invite_id, self.peer_text)
            self._end_login(EXPIRED_MESSAGE)
        elif outcome.result == "used":
            log.info("used invite %s tried again from %s", invite_id, self.peer_text)
            self._end_login(USED_MESSAGE)
        else:
            log.info("invite %s from %s could not enrol: %s", invite_id, self.peer_text, outcome.message)
            self._end_login(f"This invite cannot be used now ({outcome.message}). "
                            "Please ask whoever sent it.")
        return False

    def _end_login(self, message: str) -> None:
        # A disconnect reason is the one line ssh prints at every log level.
        self._codes_tried = MAX_CODES_PER_CONNECTION
        if self.conn:
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, message)

    def auth_completed(self) -> None:
        person = self._candidate
        # asyncssh completes a login only after validate_public_key said yes to a known
        # key, or validate_kbdint_response to a code that enrolled the key; both set it.
        assert person is not None
        self.person = person
        self.identity = person.identity
        self.shared.throttle.succeeded(self.peer[0])
        self._has_place = self.shared.places.register(self)
        log.info("login %s from %s", self.who, self.peer_text)
        self._start_no_app_timer()

    # -- places: the connection is its sessions' registry --------------------------------

    def register(self, session: AppSession) -> bool:
        if self._has_place and self._in_own_place is None:
            self._in_own_place = session
        elif not self.shared.places.register(session):
            return False
        self._apps.add(session)
        self.shared.sessions.add(session)
        self._cancel_no_app_timer()
        return True

    def unregister(self, session: AppSession) -> None:
        if session not in self._apps:
            return
        self._apps.discard(session)
        self.shared.sessions.discard(session)
        if self._in_own_place is session:
            self._in_own_place = None
            # An extra app still running moves into the connection's place, freeing its own.
            for other in self._apps:
                self.shared.places.unregister(other)
                self._in_own_place = other
                break
        else:
            self.shared.places.unregister(session)
        if not self._apps:
            self._start_no_app_timer()

    def count(self) -> int:
        return self.shared.places.count()

    def _start_no_app_timer(self) -> None:
        wait = self.shared.app_wait
        if wait and self._no_app_timer is None:
            self._no_app_timer = asyncio.get_running_loop().call_later(wait, self._no_app)

    def _cancel_no_app_timer(self) -> None:
        if self._no_app_timer is not None:
            self._no_app_timer.cancel()
            self._no_app_timer = None

    def _no_app(self) -> None:
        self._no_app_timer = None
        if self._apps or self.conn is None:
            return
        log.info("closed %s from %s: no app running after %gs", self.who, self.peer_text,
                 self.shared.app_wait)
        self.conn.disconnect(asyncssh.DISC_BY_APPLICATION,
                             "trustdialog: no session was started on this connection")

    # -- channels: one kind of session, no forwarding of any sort -----------------------

    def session_requested(self) -> AppSession:
        if self.identity is None:  # asyncssh opens no channel before the login is done
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "not logged in")
        return AppSession(self.shared.session_settings, self, self.identity, self.peer_text)

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> bool:
        log.info("refused TCP/IP forwarding from %s (%s)", self.peer_text, self.who)
        raise _NO_FORWARDING

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        log.info("refused remote port forwarding from %s (%s)", self.peer_text, self.who)
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        log.info("refused socket forwarding from %s (%s)", self.peer_text, self.who)
        raise _NO_FORWARDING

    def unix_server_requested(self, listen_path: str) -> bool:
        log.info("refused socket forwarding from %s (%s)", self.peer_text, self.who)
        return False


class AppServer:
    """The listening server and everything it runs."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.access = AccessWatcher(config.access_file, on_error=log.error)
        self.host_key = hostkey.load_or_create(config.host_key_file)
        self.fingerprint = hostkey.fingerprint(self.host_key)
        invite_file = config.invite_file or invites.invites_path(config.access_file)
        self.template = app_template(config)
        # Watching is activity: the apps' sessions are looked at when a connection's idle time is up.
        self.activity = SessionActivity(apps_store(config.data_dir, config.app_args))
        self.shared = Shared(self.access, LoginThrottle(), Places(config.max_sessions),
                             session_settings(config, self.template, self.activity), config.app_wait, InviteWatcher(invite_file, on_error=log.error),
                             config.access_file)
        # The same sets the connections keep up to date, read when stopping.
        self.connections = self.shared.connections
        self.sessions = self.shared.sessions
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self.port = config.port

    async def start(self) -> None:
        c = self.config
        # Importing the app takes a moment: meanwhile the server gets ready to listen. It
        # announces itself once the template is ready (or known not to be: apps start fresh).
        warming = None
        if self.template:
            warming = asyncio.ensure_future(self.template.start())
            # Orphans of the apps now come to the server (subreaper.py): reap them as they end.
            asyncio.get_running_loop().add_signal_handler(signal.SIGCHLD, subreaper.reap_strays)
        self._acceptor = await asyncssh.create_server(
            lambda: Connection(self.shared), c.host, c.port,
            server_host_keys=[self.host_key], server_version="trustdialog",
            # Public keys, and keyboard-interactive for invite codes only (Connection says
            # when); every other way in is off.
            password_auth=False, kbdint_auth=True, host_based_auth=False,
            gss_auth=False, gss_kex=False, gss_host=None,
            # No agent or X11 forwarding (agent forwarding defaults to on in asyncssh).
            agent_forwarding=False, x11_forwarding=False,
            # Raw bytes to and from the pty; the app does its own line editing.
            encoding=None, line_editor=False, allow_pty=True,
            sftp_factory=None, allow_scp=False,
            login_timeout=c.login_timeout, keepalive_interval=c.keepalive_interval,
            keepalive_count_max=c.keepalive_count_max, config=None,
        )
        self.port = self._acceptor.get_port() or c.port
        if warming is not None:
            await warming

    async def stop(self, message: str = "trustdialog: the server is stopping; your session is saved") -> None:
        """Stop listening, hang up every app (SIGHUP, then SIGTERM), close every connection."""
        if self._acceptor:
            self._acceptor.close()
        sessions = list(self.sessions)
        for session in sessions:
            session.close(message, reason="server-stop")
        if sessions:
            await asyncio.wait([asyncio.ensure_future(s.wait_closed()) for s in sessions],
                               timeout=self.config.hangup_grace + 10)
        await asyncio.sleep(0.1)  # let the exit messages leave
        for connection in list(self.connections):
            if connection.conn:
                connection.conn.close()
        if self.template:
            await self.template.close()
        self.activity.close()
        if self._acceptor:
            await self._acceptor.wait_closed()


async def serve(config: ServerConfig, announce: Callable[[str], None] = print) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(signum, stopping.set)  # before "listening": no stop is missed
    server = AppServer(config)
    await server.start()
    people = len(server.access.refresh().people)
    announce(f"trustdialog: listening on {config.host}:{server.port}")
    announce(f"trustdialog: host key {server.fingerprint} (ssh-ed25519) in {config.host_key_file}")
    announce(f"trustdialog: {people} {'person' if people == 1 else 'people'} in {config.access_file}"
             + ("; add someone with `trustdialog access add NAME --key FILE.pub`" if not people else ""))
    await stopping.wait()
    log.info("stopping: %d sessions to end", len(server.sessions))
    await server.stop()
    log.info("stopped")


def configure_logging() -> None:
    """Connection log lines on stderr; asyncssh's own chatter only when something is wrong."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    root = logging.getLogger("trustdialog")
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)


def run(config: ServerConfig) -> None:
    configure_logging()
    asyncio.run(serve(config, announce=lambda line: print(line, flush=True)))
