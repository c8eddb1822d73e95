"""Connections: saved specs without passwords, keyring, PG* variables, service files, errors."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from mapdesk.io.postgis import AuthenticationFailed, ConnectionFailed, DatabaseError, TableRef
from mapdesk.io.postgis.connections import (
    ConnectionSpec,
    ConnectionStore,
    connect,
    connector,
    forget_password,
    store_password,
    stored_password,
)


def _spec(dsn: str, name: str = "city") -> ConnectionSpec:
    u = urlsplit(dsn)
    return ConnectionSpec(name, host=u.hostname, port=u.port, dbname=u.path.lstrip("/"), user=u.username)


# ---------------------------------------------------------------------------- no server needed

def test_spec_conninfo_has_only_what_is_set():
    assert ConnectionSpec("a").conninfo() == "postgresql://"
    s = ConnectionSpec("b", host="db.city", port=5433, dbname="gis data", user="ana", sslmode="require")
    assert s.conninfo() == "postgresql://ana@db.city:5433/gis%20data?sslmode=require"
    assert ConnectionSpec("c", service="city").conninfo() == "postgresql://?service=city"
    assert ConnectionSpec.from_dict(s.to_dict()) == s
    assert "password" not in s.to_dict()


@pytest.mark.parametrize("bad", ["", " x", "a/b", "a?b", "tab\tname"])
def test_bad_connection_names_refused(bad):
    with pytest.raises(DatabaseError, match="connection name"):
        ConnectionSpec(bad)


def test_bad_port_refused():
    with pytest.raises(DatabaseError, match="port"):
        ConnectionSpec("x", port="abc")
    with pytest.raises(DatabaseError, match="range"):
        ConnectionSpec("x", port=70000)


def test_store_roundtrip_and_errors(store):
    assert store.list() == []
    store.save(ConnectionSpec("zeta", host="h1"))
    store.save(ConnectionSpec("Alpha", host="h2", port=5432))
    store.save(ConnectionSpec("zeta", host="h3"))  # replaces
    assert [s.name for s in store.list()] == ["Alpha", "zeta"]
    assert store.get("zeta").host == "h3"
    assert ConnectionStore(store.path).get("Alpha").port == 5432  # from disk
    with pytest.raises(DatabaseError, match="no saved connection named 'nope'.*Alpha, zeta"):
        store.get("nope")
    store.remove("zeta")
    assert [s.name for s in store.list()] == ["Alpha"]
    with pytest.raises(DatabaseError, match="nope"):
        store.remove("nope")
    store.path.write_text("{not json")
    with pytest.raises(DatabaseError, match="cannot read the saved connections"):
        store.list()


def test_keyring_unavailable_never_writes_clear_text(store):
    # This machine has only keyring's "fail" backend: nothing is stored, anywhere.
    spec = ConnectionSpec("city", host="h")
    store.save(spec)
    assert store_password(spec, "s3cret-pw") is False
    assert stored_password(spec) is None
    forget_password(spec)  # no error
    assert "s3cret-pw" not in store.path.read_text()


def test_keyring_roundtrip(memory_keyring):
    spec = ConnectionSpec("city", host="h")
    assert store_password(spec, "pw1") is True
    assert stored_password(spec) == "pw1"
    assert list(memory_keyring.items.values()) == ["pw1"]
    forget_password(spec)
    assert stored_password(spec) is None


# ---------------------------------------------------------------------------- real server

def test_connect_uri_spec_tableref_and_name(pg_server, pg_dsn, store):
    with connect(pg_dsn) as c:
        assert c.execute("SELECT current_user").fetchone()[0] == "mapdesk"
    spec = _spec(pg_dsn)
    store.save(spec)
    with connect(spec, password=pg_server.password) as c:
        assert c.info.dbname == spec.dbname
    with connect("city", password=pg_server.password, store=store) as c:
        assert c.info.dbname == spec.dbname
    ref = TableRef("public", "t", connection="city")
    with connect(ref, password=pg_server.password) as c:  # default store via XDG_CONFIG_HOME
        assert c.info.dbname == spec.dbname
    with connect(pg_dsn + "?table=public.t", autocommit=True) as c:
        assert c.autocommit


def test_wrong_password_is_authentication_failed(pg_dsn):
    bad = pg_dsn.replace("mapdesk-test-pw", "Xq9-not-it")
    with pytest.raises(AuthenticationFailed) as ei:
        connect(bad)
    msg = str(ei.value)
    assert "127.0.0.1" in msg and "password" in msg and "Xq9-not-it" not in msg


def test_no_password_says_where_to_put_one(pg_server, pg_dsn):
    spec = _spec(pg_dsn)
    with pytest.raises(AuthenticationFailed, match="PGPASSWORD"):
        connect(spec)


def test_prompt_after_refusal_once_and_remembered(pg_server, pg_dsn):
    spec = _spec(pg_dsn)
    asked = []

    def prompt(msg):
        asked.append(msg)
        return pg_server.password

    with connect(spec, prompt=prompt) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
    assert len(asked) == 1 and spec.dbname in asked[0]
    with connect(spec) as c:  # typed once per session
        assert c.info.dbname == spec.dbname
    with pytest.raises(AuthenticationFailed):
        connect(_spec(pg_dsn, "x"), password="wrong", prompt=lambda m: "still wrong")


def test_password_from_keyring(pg_server, pg_dsn, memory_keyring, store):
    spec = _spec(pg_dsn)
    store.save(spec)
    assert store_password(spec, pg_server.password)
    with connect("pg:city/public.t") as c:
        assert c.info.dbname == spec.dbname
    assert pg_server.password not in store.path.read_text()
    assert "password" not in json.loads(store.path.read_text())["connections"][0]


def test_pg_environment_variables(pg_server, pg_dsn, monkeypatch):
    u = urlsplit(pg_dsn)
    monkeypatch.setenv("PGHOST", u.hostname)
    monkeypatch.setenv("PGPORT", str(u.port))
    monkeypatch.setenv("PGUSER", u.username)
    monkeypatch.setenv("PGDATABASE", u.path.lstrip("/"))
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    with connect(ConnectionSpec("envonly")) as c:
        assert c.info.dbname == u.path.lstrip("/")
    # what is set in the spec wins over the environment
    with pytest.raises(ConnectionFailed, match="does not exist"):
        connect(ConnectionSpec("other", dbname="no_such_db"))


def test_service_file(pg_server, pg_dsn, tmp_path, monkeypatch):
    u = urlsplit(pg_dsn)
    svc = tmp_path / "pg_service.conf"
    svc.write_text(f"[city]\nhost={u.hostname}\nport={u.port}\ndbname={u.path.lstrip('/')}\n"
                   f"user={u.username}\npassword={pg_server.password}\n")
    monkeypatch.setenv("PGSERVICEFILE", str(svc))
    with connect(ConnectionSpec("svc", service="city")) as c:
        assert c.info.dbname == u.path.lstrip("/")
    with connect("postgresql://?service=city&table=public.x") as c:
        assert c.info.port == u.port
    with pytest.raises(ConnectionFailed, match="service"):
        connect(ConnectionSpec("svc2", service="nosuch"))


def test_server_unreachable(pg_dsn):
    with pytest.raises(ConnectionFailed, match="127.0.0.1:1/.*running") as ei:
        connect(ConnectionSpec("down", host="127.0.0.1", port=1, dbname="x", user="u"), password="p")
    assert not isinstance(ei.value, AuthenticationFailed)


def test_connector_reuses_the_password(pg_server, pg_dsn):
    spec = _spec(pg_dsn)
    asked = []
    make = connector(spec, prompt=lambda m: asked.append(m) or pg_server.password, autocommit=True)
    a, b = make(), make()
    try:
        assert a.autocommit and b.autocommit
        assert a.info.backend_pid != b.info.backend_pid
    finally:
        a.close()
        b.close()
    assert len(asked) == 1
