"""Helpers for the PostGIS io tests: a private connection store and an in-memory keyring."""

from __future__ import annotations

import pytest


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A ConnectionStore in a temp XDG_CONFIG_HOME (the default store of the process)."""
    from mapdesk.io.postgis.connections import ConnectionStore

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return ConnectionStore()


@pytest.fixture
def memory_keyring():
    """A working keyring backend kept in memory for one test."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.items.get((service, username))

        def set_password(self, service, username, password):
            self.items[(service, username)] = password

        def delete_password(self, service, username):
            self.items.pop((service, username), None)

    old = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(old)


@pytest.fixture(autouse=True)
def _no_session_passwords(monkeypatch):
    """Passwords typed at a prompt are remembered per process: start each test without them."""
    from mapdesk.io.postgis import connections

    monkeypatch.setattr(connections, "_session_passwords", {})
    monkeypatch.setattr(connections, "_default_prompt", None)
    for var in ("PGPASSWORD", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGSERVICEFILE",
                "PGPASSFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/mapdesk-test-pgpass")
