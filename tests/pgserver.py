"""A throwaway PostgreSQL + PostGIS server on 127.0.0.1, for the tests and the benchmarks.

The server lives in a temporary directory, listens on a free port of 127.0.0.1 only, and asks
TCP clients for a password (scram-sha-256), so wrong-password handling is tested for real. As
root, ``initdb`` and ``postgres`` run as the ``postgres`` system user (PostgreSQL refuses root).

``python3 tests/pgserver.py`` starts one and prints its DSN, for trying mapdesk by hand.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "mapdesk"
PASSWORD = "mapdesk-test-pw"
TEMPLATE_DB = "mapdesk_template"


def find_bindir() -> Path | None:
    """The newest PostgreSQL server bin directory on this machine, or None."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10)
            candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
                         reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "postgres").exists():
            return Path(c)
    return None


def postgis_installed(bindir: Path) -> bool:
    version = bindir.parent.name
    return any(Path(p).exists() for p in (
        f"/usr/share/postgresql/{version}/extension/postgis.control",
        str(bindir.parent / "share" / "extension" / "postgis.control")))


def unavailable_reason() -> str | None:
    """Why no test server can be started here (None when one can)."""
    bindir = find_bindir()
    if bindir is None:
        return "no PostgreSQL server binaries (install Debian's postgresql and postgresql-postgis)"
    if not postgis_installed(bindir):
        return f"PostGIS is not installed for PostgreSQL {bindir.parent.name} (Debian: postgresql-postgis)"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``dsn(dbname)`` gives a libpq URI."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="mapdesk-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.host = "127.0.0.1"
        self.user = USER
        self.password = PASSWORD
        self._as_postgres = os.geteuid() == 0

    def _run(self, *cmd: str) -> subprocess.CompletedProcess:
        argv = list(cmd)
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> PgServer:
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        assert self.bindir is not None
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
            shutil.chown(pwfile, "postgres")
        r = self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                      f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                      "-E", "UTF8", "--locale=C")
        if r.returncode:
            raise RuntimeError(f"initdb failed: {r.stderr.strip() or r.stdout.strip()}")
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        r = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts,
                      "-l", str(self.root / "log"), "-w", "-t", "60", "start")
        if r.returncode:
            log = (self.root / "log").read_text(errors="replace") if (self.root / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {r.stderr.strip()} {log[-2000:]}")
        self._make_template()
        return self

    def _make_template(self) -> None:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {TEMPLATE_DB}")
        with psycopg.connect(self.dsn(TEMPLATE_DB), autocommit=True) as con:
            con.execute("CREATE EXTENSION postgis")

    def create_database(self, name: str) -> str:
        """A fresh database with PostGIS (copied from a template: ~0.1 s); returns its DSN."""
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            con.execute(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE_DB}')
        return self.dsn(name)

    def dsn(self, dbname: str = "postgres", *, password: bool = True) -> str:
        pw = f":{self.password}" if password else ""
        return f"postgresql://{self.user}{pw}@{self.host}:{self.port}/{dbname}"

    def stop(self) -> None:
        if self.bindir and self.data.exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def restart_stopped(self) -> None:
        """Stop the server (to test a server going down); :meth:`start_again` brings it back."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def start_again(self) -> None:
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts,
                  "-l", str(self.root / "log"), "-w", "-t", "60", "start")


if __name__ == "__main__":
    import signal

    srv = PgServer().start()
    print(srv.create_database("mapdesk"), flush=True)
    print("Ctrl-C (or SIGTERM) stops the server and deletes its files", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
