"""Shared fixtures: Qt offscreen, a real nginx-rtmp server, an isolated STUDIO_HOME."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from studio.app.bench.nginx import RtmpServer, nginx_available  # noqa: E402

# Fails the run if a test secret (tests/support/secrets.py) shows up in anything the suite produced.
pytest_plugins = ["tests.support.secret_scan"]


@pytest.fixture(autouse=True)
def _restore_logging():
    """Tests that call the CLI's main() install its log handler on pytest's captured stream; put the
    root logger back so no later test writes to a closed stream."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _studio_home(tmp_path_factory, monkeypatch):
    """Each test gets its own config/data/cache folders: no test reads the developer's settings."""
    home = tmp_path_factory.mktemp("studio-home")
    monkeypatch.setenv("STUDIO_HOME", str(home))
    yield home


@pytest.fixture(scope="session")
def rtmp_server(tmp_path_factory):
    """A real nginx with the RTMP module on a free loopback port, for the whole session."""
    if not nginx_available():
        pytest.fail("nginx with libnginx-mod-rtmp is not installed: run `make setup`")
    server = RtmpServer(tmp_path_factory.mktemp("nginx")).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_rtmp_server(tmp_path):
    """A server of the test's own, for tests that stop or restart it."""
    server = RtmpServer(tmp_path / "nginx").start()
    yield server
    server.stop()
