"""A real, throw-away PostgreSQL server in a temporary folder, for the tests and the benchmark.

initdb refuses to run as root, so as root the server's files belong to
`nobody` and every server program runs as that user (the tests themselves
connect over TCP on 127.0.0.1 and need no particular user).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

INSTALL_HINT = "PostgreSQL is not installed (initdb not found); install it with `apt-get install postgresql`"


class NoPostgres(Exception):
    """The server programs are not on this machine."""


def find_program(name: str) -> str:
    """`name` from PATH, else from the newest /usr/lib/postgresql/*/bin; NoPostgres if neither."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                      key=lambda p: [int(x) for x in Path(p).parts[-3].split(".") if x.isdigit()])
    if versions:
        return versions[-1]
    raise NoPostgres(INSTALL_HINT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl start in a fresh folder; `url` reaches it as the superuser `postgres`."""

    def __init__(self, *, fsync: bool = False, max_connections: int = 100) -> None:
        self.initdb = find_program("initdb")
        self.max_connections = max_connections  # each app holds two (its writes and its LISTEN)
        self.pg_ctl = find_program("pg_ctl")
        self.fsync = fsync
        # Not under pytest's temp folder: that one is 0700 to root, and the
        # server's user must reach its files.
        self.root = Path(tempfile.mkdtemp(prefix="td-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            os.chmod(self.root, 0o700)
            self._as = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
                        "--clear-groups", "--"]

    def _run(self, *argv: str) -> None:
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        if self._as:
            env["HOME"] = str(self.root)  # nobody's home does not exist
        done = subprocess.run([*self._as, *argv], capture_output=True, text=True, env=env,
                              cwd=self.root, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(argv[:2])} failed ({done.returncode}):\n"
                               f"{done.stdout}\n{done.stderr}\n{log}")

    def start(self) -> str:
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-sync")
        self.resume()
        return self.url

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():  # a test may have halted it already
                self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server, dropping every connection as a restart does; its files stay, for `resume`."""
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start it again on the same files and port, as it was started."""
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.root} -c fsync={'on' if self.fsync else 'off'} "
                   f"-c synchronous_commit={'on' if self.fsync else 'off'} -c max_connections={self.max_connections}")
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "60", "start")


@contextlib.contextmanager
def started(*, fsync: bool = False) -> Iterator[PostgresServer]:
    """A started server, stopped and removed afterwards. Without PostgreSQL the test is
    skipped on a developer's machine and fails in CI, which must test this store."""
    import pytest

    try:
        server = PostgresServer(fsync=fsync)
    except NoPostgres as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{error} (CI must test the PostgreSQL store)", pytrace=False)
        pytest.skip(str(error))
    server.start()
    try:
        yield server
    finally:
        server.stop()
