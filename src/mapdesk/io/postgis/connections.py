"""Saved database connections and opening them.

A :class:`ConnectionSpec` names a server (host, port, database, user, or a libpq *service*);
it never holds a password. Specs are kept in ``$XDG_CONFIG_HOME/mapdesk/connections.json``
(:class:`ConnectionStore`, written atomically). Passwords come, in this order, from the
``password`` argument, the system keyring (:func:`store_password`), this session's memory (a
password typed at a prompt earlier), libpq's own sources (``PGPASSWORD``, ``~/.pgpass``, the
service file) and finally ``prompt`` after the server refused the connection.

Only the parameters that are set are passed to libpq, so ``PGHOST``, ``PGPORT``, ``PGDATABASE``,
``PGUSER``, ``PGSERVICE``/``PGSERVICEFILE`` and ``PGSSLMODE`` fill in the rest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from mapdesk.io.atomic import write_text_atomic
from mapdesk.io.postgis.errors import AuthenticationFailed, ConnectionFailed, DatabaseError
from mapdesk.io.postgis.ref import TableRef, is_db_source, parse_source

if TYPE_CHECKING:
    import psycopg

KEYRING_SERVICE = "mapdesk-postgresql"
STORE_VERSION = 1

Prompt = Callable[[str], "str | None"]

# Passwords typed at a prompt during this process (never written anywhere): a second
# connection to the same server does not ask again.
_session_passwords: dict[str, str] = {}
_default_prompt: Prompt | None = None


# --------------------------------------------------------------------------- specs and store

@dataclass
class ConnectionSpec:
    """How to reach one PostgreSQL database; never holds a password."""

    name: str
    host: str | None = None
    port: int | None = None
    dbname: str | None = None
    user: str | None = None
    service: str | None = None
    sslmode: str | None = None
    connect_timeout_s: int = 5

    def __post_init__(self) -> None:
        check_connection_name(self.name)
        if self.port is not None:
            try:
                self.port = int(self.port)
            except (TypeError, ValueError):
                raise DatabaseError(f"connection {self.name!r}: port must be a number, not {self.port!r}") from None
            if not 0 < self.port < 65536:
                raise DatabaseError(f"connection {self.name!r}: port {self.port} is out of range")

    def params(self) -> dict[str, Any]:
        """The libpq parameters that are set (none means: libpq's environment/defaults)."""
        keys = ("host", "port", "dbname", "user", "service", "sslmode")
        return {k: getattr(self, k) for k in keys if getattr(self, k) not in (None, "")}

    def conninfo(self) -> str:
        """A libpq URI without password, e.g. ``postgresql://ana@db.city:5432/gis?sslmode=require``."""
        return uri_from_params(self.params())

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict) -> ConnectionSpec:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def describe(self) -> str:
        """``user@host:port/db`` (or ``service=NAME``) for messages; libpq defaults shown as such."""
        return describe_params(self.params())


def check_connection_name(name: str) -> str:
    """A connection name is used in ``pg:NAME/schema.table``: no ``/``, ``?`` or spaces at the ends."""
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise DatabaseError(f"invalid connection name {name!r}: give a non-empty name without "
                            "leading or trailing spaces")
    if any(c in name for c in "/?#") or any(ord(c) < 32 for c in name):
        raise DatabaseError(f"invalid connection name {name!r}: '/', '?', '#' and control characters "
                            "are not allowed (it is used in pg:NAME/schema.table)")
    return name


def uri_from_params(params: dict[str, Any]) -> str:
    """``postgresql://user@host:port/dbname?other=..`` from libpq keywords (no password)."""
    p = dict(params)
    p.pop("password", None)
    user = p.pop("user", None)
    host = p.pop("host", None)
    port = p.pop("port", None)
    dbname = p.pop("dbname", None)
    netloc = ""
    if user:
        netloc = quote(str(user), safe="") + "@"
    if host:
        h = str(host)
        if h.startswith("/"):  # a Unix socket directory is a query parameter in a URI
            p["host"] = h
        else:
            netloc += f"[{h}]" if ":" in h else quote(h, safe=".-_")
    if port:
        netloc += f":{int(port)}"
    path = "/" + quote(str(dbname), safe="") if dbname else ""
    query = urlencode({k: v for k, v in p.items() if v not in (None, "")})
    return f"postgresql://{netloc}{path}" + (f"?{query}" if query else "")


def describe_params(params: dict[str, Any]) -> str:
    """A short server description for messages (never the password)."""
    if params.get("service") and not params.get("host"):
        base = f"service '{params['service']}'"
        if params.get("dbname"):
            base += f", database {params['dbname']}"
        return base
    host = params.get("host") or os.environ.get("PGHOST") or "localhost"
    port = params.get("port") or os.environ.get("PGPORT") or 5432
    db = params.get("dbname") or os.environ.get("PGDATABASE") or "(default database)"
    user = params.get("user") or os.environ.get("PGUSER")
    return (f"{user}@" if user else "") + f"{host}:{port}/{db}"


def default_store_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mapdesk" / "connections.json"


class ConnectionStore:
    """The saved connections: a JSON file (no passwords), written atomically."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()

    def _read(self) -> list[ConnectionSpec]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DatabaseError(f"cannot read the saved connections in {self.path}: {exc}") from None
        items = doc.get("connections", []) if isinstance(doc, dict) else []
        out = []
        for d in items:
            if isinstance(d, dict) and d.get("name"):
                try:
                    out.append(ConnectionSpec.from_dict(d))
                except (DatabaseError, TypeError):
                    continue  # one damaged entry must not hide the others
        return out

    def _write(self, specs: list[ConnectionSpec]) -> None:
        doc = {"mapdesk_connections": STORE_VERSION, "connections": [s.to_dict() for s in specs]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        except OSError as exc:
            raise DatabaseError(f"cannot save connections to {self.path}: {exc.strerror or exc}") from None

    def list(self) -> list[ConnectionSpec]:
        """Every saved connection, sorted by name."""
        return sorted(self._read(), key=lambda s: s.name.lower())

    def get(self, name: str) -> ConnectionSpec:
        """The connection called ``name``; :class:`DatabaseError` naming the saved ones if unknown."""
        specs = self._read()
        for s in specs:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in specs) or "none yet"
        raise DatabaseError(f"no saved connection named {name!r} (saved: {known}); add it with "
                            f"`mapdesk db connections add {name} --host ... --dbname ...`")

    def save(self, spec: ConnectionSpec) -> None:
        """Add ``spec`` or replace the saved connection of the same name."""
        specs = [s for s in self._read() if s.name != spec.name]
        specs.append(spec)
        self._write(sorted(specs, key=lambda s: s.name.lower()))

    def remove(self, name: str) -> None:
        """Forget the connection called ``name`` (its keyring password is not touched here)."""
        specs = self._read()
        if not any(s.name == name for s in specs):
            self.get(name)  # raises with the known names
        self._write([s for s in specs if s.name != name])


# --------------------------------------------------------------------------- keyring

def _keyring_key(spec: ConnectionSpec) -> str:
    return spec.name


def _usable_keyring():
    """The keyring backend, or None when only the 'fail' (no keyring) backend is available."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring):
        return None
    return backend


def stored_password(spec: ConnectionSpec) -> str | None:
    """The password saved in the system keyring for ``spec``; None when none (or no keyring)."""
    backend = _usable_keyring()
    if backend is None:
        return None
    try:
        return backend.get_password(KEYRING_SERVICE, _keyring_key(spec))
    except Exception:
        return None


def store_password(spec: ConnectionSpec, password: str) -> bool:
    """Save the password in the system keyring; False when no usable keyring (nothing written)."""
    backend = _usable_keyring()
    if backend is None:
        return False
    try:
        backend.set_password(KEYRING_SERVICE, _keyring_key(spec), password)
    except Exception:
        return False
    return True


def forget_password(spec: ConnectionSpec) -> None:
    """Remove the keyring password of ``spec`` (and this session's) if there is one."""
    _session_passwords.pop(spec.conninfo(), None)
    backend = _usable_keyring()
    if backend is None:
        return
    try:
        backend.delete_password(KEYRING_SERVICE, _keyring_key(spec))
    except Exception:
        pass


def set_default_prompt(prompt: Prompt | None) -> None:
    """The prompt used when :func:`connect` gets none (the command line sets a terminal prompt)."""
    global _default_prompt
    _default_prompt = prompt


# --------------------------------------------------------------------------- connecting

@dataclass
class _Target:
    conninfo: str               # libpq URI without password
    spec: ConnectionSpec | None
    password: str | None        # from the URI the user typed (command line)
    timeout_s: int
    where: str                  # for messages


def resolve(target: ConnectionSpec | TableRef | str, store: ConnectionStore | None = None) -> _Target:
    """Turn any accepted target into a libpq URI (+ the saved spec when there is one)."""
    if isinstance(target, ConnectionSpec):
        return _Target(target.conninfo(), target, None, target.connect_timeout_s, target.describe())
    password = None
    if isinstance(target, str):
        uri = target.startswith(("postgresql://", "postgres://"))
        if is_db_source(target) and not (uri and "table" not in parse_qs(urlsplit(target).query)):
            target, password = parse_source(target)
        elif uri or "=" in target:
            return _from_conninfo(target)
        else:
            spec = (store or ConnectionStore()).get(target)
            return resolve(spec)
    if isinstance(target, TableRef):
        if target.connection is not None:
            t = resolve((store or ConnectionStore()).get(target.connection))
            return t
        t = _from_conninfo(target.conninfo)
        if password is not None:
            t.password = password
        return t
    raise TypeError(f"cannot connect to {target!r}")


def _from_conninfo(conninfo: str) -> _Target:
    from psycopg.conninfo import conninfo_to_dict

    if conninfo.startswith(("postgresql:", "postgres:")) and "://" not in conninfo:
        # urlunsplit drops the "//" of a URI without host (postgresql:?service=x)
        conninfo = "postgresql://" + conninfo.split(":", 1)[1]
    try:
        params = conninfo_to_dict(conninfo)
    except Exception as exc:
        raise ConnectionFailed(f"invalid connection string: {_first_line(exc)}") from None
    password = params.pop("password", None)
    params.pop("table", None)
    params.pop("geom", None)
    timeout = int(params.pop("connect_timeout", 5) or 5)
    return _Target(uri_from_params(params), None, password, timeout, describe_params(params))


def connect(target: ConnectionSpec | TableRef | str, *, password: str | None = None,
            prompt: Prompt | None = None, store: ConnectionStore | None = None,
            autocommit: bool = False) -> psycopg.Connection:
    """Open a connection to a saved connection, a table's server or a libpq URI.

    Parameters
    ----------
    target : a :class:`ConnectionSpec`, a :class:`TableRef`, a source string
        (``pg:NAME/schema.table``, ``postgresql://...?table=...``), a libpq URI or keyword string,
        or the name of a saved connection.
    password : used first when given.
    prompt : ``prompt(message) -> password or None``, asked once after the server refused the
        password (or asked for one); None → the default set with :func:`set_default_prompt`.
    store : where named connections are looked up (default: the user's store).
    autocommit : open the connection in autocommit mode.

    Raises
    ------
    AuthenticationFailed
        Wrong user name or password, or none available.
    ConnectionFailed
        Server unreachable, database missing, timeout.
    """
    conn, _ = _open(target, password=password, prompt=prompt, store=store, autocommit=autocommit)
    return conn


def connector(target: ConnectionSpec | TableRef | str, **kw: Any) -> Callable[[], psycopg.Connection]:
    """A factory of more connections to the same server, with the password that worked.

    Connects once now (so a wrong password is reported here, and a prompt is asked only once).
    Keyword arguments are those of :func:`connect`.
    """
    autocommit = kw.pop("autocommit", False)
    conn, pw = _open(target, autocommit=autocommit, **kw)
    t = conn._mapdesk_target  # type: ignore[attr-defined]
    conn.close()

    def make() -> psycopg.Connection:
        return _attempt(t, pw, autocommit)

    return make


def _open(target, *, password=None, prompt=None, store=None, autocommit=False):
    t = resolve(target, store)
    key = t.conninfo
    candidates: list[str | None] = []
    if password is not None:
        candidates.append(password)  # the caller's password is authoritative
    else:
        for pw in (t.password, stored_password(t.spec) if t.spec else None,
                   _session_passwords.get(key)):
            if pw is not None and pw not in candidates:
                candidates.append(pw)
        candidates.append(None)  # libpq's own: PGPASSWORD, ~/.pgpass, service file
    last: AuthenticationFailed | None = None
    last_had_password = False
    for pw in candidates:
        try:
            return _attempt(t, pw, autocommit), pw
        except AuthenticationFailed as exc:
            # "wrong password" says more than the "no password" of a later attempt
            if last is None or (pw is not None and not last_had_password):
                last, last_had_password = exc, pw is not None
    asker = prompt if prompt is not None else _default_prompt
    if asker is not None:
        typed = asker(f"Password for {t.where}:")
        if typed:
            conn = _attempt(t, typed, autocommit)
            _session_passwords[key] = typed
            return conn, typed
    assert last is not None
    raise last


def _attempt(t: _Target, password: str | None, autocommit: bool) -> psycopg.Connection:
    import psycopg

    kw: dict[str, Any] = {"connect_timeout": t.timeout_s, "autocommit": autocommit,
                          "application_name": "mapdesk"}
    if password is not None:
        kw["password"] = password
    try:
        conn = psycopg.connect(t.conninfo, **kw)
    except psycopg.OperationalError as exc:
        raise _connect_error(exc, t, password) from None
    except psycopg.Error as exc:
        raise ConnectionFailed(f"cannot connect to {t.where}: {_first_line(exc)}") from None
    conn._mapdesk_target = t  # type: ignore[attr-defined]
    return conn


_AUTH_MARKERS = ("password authentication failed", "no password supplied", "authentication failed",
                 "password is required", "peer authentication failed", "ident authentication failed")


def _connect_error(exc: Exception, t: _Target, password: str | None) -> ConnectionFailed:
    msg = _first_line(exc)
    low = str(exc).lower()
    if any(m in low for m in _AUTH_MARKERS):
        if password is None and "no password supplied" in low:
            hint = ("no password available: store one with `mapdesk db connections add NAME "
                    "--password-prompt`, set PGPASSWORD or add it to ~/.pgpass")
        else:
            hint = "check the user name and password"
        return AuthenticationFailed(f"the server at {t.where} refused the login: {hint}")
    if "does not exist" in low and "database" in low:
        return ConnectionFailed(f"cannot connect to {t.where}: {msg} (check the database name)")
    if "service" in low and ("definition" in low or "service file" in low):
        return ConnectionFailed(f"cannot connect to {t.where}: {msg} (check PGSERVICEFILE or "
                                "~/.pg_service.conf)")
    if "timeout" in low:
        return ConnectionFailed(f"cannot connect to {t.where}: no answer within {t.timeout_s} s "
                                "(check the host name, the network and the firewall)")
    return ConnectionFailed(f"cannot connect to {t.where}: {msg} (check that the server is running "
                            "and accepts connections on that host and port)")


def _first_line(exc: Exception) -> str:
    """The reason of a libpq error without its "connection to server at ... failed:" preamble."""
    text = str(exc).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__
    line = lines[0].rsplit("failed: ", 1)[-1]
    return line.removeprefix("FATAL:").strip()
