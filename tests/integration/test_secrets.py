"""Stream keys and tokens never reach an output: logs, status lines, errors, crash reports, stats files,
the settings file, the connector states the host sees. Every test here *uses* the test secrets
(tests/support/secrets.py) end to end, prints whatever the studio produced (so the session-level
scanner in tests/support/secret_scan.py greps it too) and checks it itself.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from studio.core.secrets import mask_text, register_secret
from studio.live.connectors.generic import GenericFeed
from studio.live.connectors.shopify import ShopifyOrders
from studio.live.connectors.youtube import YouTubeChat
from studio.live.events import FeedState
from tests.integration.live.conftest import run_connector
from tests.integration.live.servers.http_base import FakeServer, Request, html_response, json_response
from tests.support import secret_scan
from tests.support.secrets import (
    TEST_API_KEY,
    TEST_FEED_TOKEN,
    TEST_OAUTH_TOKEN,
    TEST_SECRETS,
    TEST_SHOP_TOKEN,
    TEST_STREAM_KEY,
)
from tests.support.studio_proc import ROOT, run_studio


def assert_no_secret(text: str, where: str) -> None:
    """Fail naming the secret, never showing it (the failure report is scanned too)."""
    hits = [name for name, value in TEST_SECRETS.items() if value in text]
    assert not hits, f"{', '.join(hits)} leaked into {where}"


def show(text: str) -> None:
    """Hand the studio's output to pytest's capture, where the session scanner greps it again."""
    sys.stdout.write(text)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the scanner itself can fail ----------------------------------------------------------------

def test_scanner_finds_a_planted_key_in_text_sqlite_utf16_and_across_chunks(monkeypatch):
    # Outside pytest's base temp dir, and removed at once: the session scan must not see the plant.
    with tempfile.TemporaryDirectory(prefix="secret-plant-") as d:
        root = Path(d)
        (root / "clean.txt").write_text("rtmp://h/live/****\n")
        (root / "status.log").write_text(f"connecting to rtmp://h/live/{TEST_STREAM_KEY}\n")
        db = sqlite3.connect(root / "session.sqlite")
        db.execute("create table log (text)")
        db.execute("insert into log values (?)", (f"token {TEST_SHOP_TOKEN}",))
        db.commit()
        db.close()
        (root / "sub").mkdir()
        (root / "sub" / "wide.txt").write_bytes(TEST_API_KEY.encode("utf-16-le"))
        monkeypatch.setattr(secret_scan, "CHUNK", 16)  # the key straddles many chunk borders
        (root / "big.bin").write_bytes(b"x" * 37 + TEST_FEED_TOKEN.encode() + b"y" * 50)
        (root / "nginx0").mkdir()  # a server's own folder is skipped
        (root / "nginx0" / "access.log").write_text(TEST_OAUTH_TOKEN)
        leaks = secret_scan.scan_tree(root, secret_scan.SERVER_DIRS)
    found = {(leak.secret, Path(leak.where).name) for leak in leaks}
    assert found == {("TEST_STREAM_KEY", "status.log"), ("TEST_SHOP_TOKEN", "session.sqlite"),
                     ("TEST_API_KEY", "wide.txt"), ("TEST_FEED_TOKEN", "big.bin")}
    assert all(value not in str(leak) for leak in leaks for value in TEST_SECRETS.values())


def test_a_run_that_prints_or_writes_a_key_fails_and_a_clean_run_passes():
    inner = textwrap.dedent("""
        from tests.support.secrets import TEST_STREAM_KEY

        def test_prints_the_key():
            print("publishing to rtmp://h/live/" + TEST_STREAM_KEY)

        def test_writes_the_key(tmp_path):
            (tmp_path / "stats.jsonl").write_text('{"url": "' + TEST_STREAM_KEY + '"}')
        """)
    clean = "def test_nothing_secret():\n    print('rtmp://h/live/****')\n"
    with tempfile.TemporaryDirectory(prefix="secret-selftest-") as d:
        results = {}
        for name, body in (("leaky", inner), ("clean", clean)):
            folder = Path(d) / name
            folder.mkdir()
            (folder / f"test_{name}.py").write_text(body)
            (folder / "pytest.ini").write_text("[pytest]\n")
            results[name] = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "tests.support.secret_scan",
                 "-p", "no:cacheprovider", "-c", str(folder / "pytest.ini"), "--rootdir", str(folder),
                 "--basetemp", str(folder / "tmp"),
                 str(folder / f"test_{name}.py")],
                cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
                env={**os.environ, "PYTHONPATH": str(ROOT)})
    leaky, ok = results["leaky"], results["clean"]
    assert leaky.returncode == 1, leaky.stdout[-2000:]
    assert "SECRET LEAK" in leaky.stdout
    assert "TEST_STREAM_KEY in " in leaky.stdout
    assert "test_prints_the_key (Captured stdout call)" in leaky.stdout
    assert "stats.jsonl" in leaky.stdout
    assert_no_secret(leaky.stdout + leaky.stderr, "the scanner's own report")
    assert ok.returncode == 0, ok.stdout[-2000:]
    assert "SECRET LEAK" not in ok.stdout


# -- the broadcast: a real RTMP server, a dead one, verbose logs, the stats file ----------------

@pytest.mark.slow
def test_live_to_nginx_with_the_key_never_prints_or_writes_it(rtmp_server, tmp_path):
    stats = tmp_path / "stats.jsonl"
    res = run_studio("-v", "-v", "live", "--size", "320x180", "--bitrate", "300", "--duration", "3",
                     "--out", rtmp_server.url(TEST_STREAM_KEY), "--stats", str(stats), timeout=90)
    out = res.stdout + res.stderr
    show(out)
    assert res.returncode == 0, mask_text(res.stderr[-1500:])
    assert "live/****" in out  # the destination is named, masked
    assert_no_secret(out, "studio live's stdout/stderr")
    assert stats.read_text().strip(), "no stats were written"
    assert_no_secret(stats.read_text(), "the --stats file")


@pytest.mark.slow
def test_unreachable_destination_error_paths_mask_the_key(tmp_path):
    stats = tmp_path / "stats.jsonl"
    url = f"rtmps://127.0.0.1:{free_port()}/live/${{STUDIO_SECRET_TEST_KEY}}"  # from the environment
    res = run_studio("-v", "-v", "live", "--size", "320x180", "--bitrate", "300", "--duration", "4",
                     "--out", url, "--stats", str(stats), timeout=90,
                     env={"STUDIO_SECRET_TEST_KEY": TEST_STREAM_KEY})
    out = res.stdout + res.stderr
    show(out)
    assert any(w in out.lower() for w in ("reconnect", "refused", "error", "failed")), mask_text(out[-1500:])
    assert_no_secret(out, "studio live's stdout/stderr for a dead destination")
    if stats.exists():
        assert_no_secret(stats.read_text(), "the --stats file")


@pytest.fixture
def restore_logging():
    """`studio.cli.main` calls setup_logging(): put the root handlers and excepthooks back afterwards, or
    a handler bound to this test's (closed) captured stderr fails every later record."""
    import threading

    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook, threading.excepthook)
    yield
    root.handlers[:], level, sys.excepthook, threading.excepthook = saved
    root.setLevel(level)


def test_user_error_with_the_key_in_a_url_is_printed_masked(capsys, restore_logging):
    from studio.cli import main

    code = main(["live", "--out", f"rtmpx://ingest.example.com/live/{TEST_STREAM_KEY}"])
    err = capsys.readouterr().err
    assert code == 2 and "live/****" in err
    assert_no_secret(err, "a UserError")


def test_crash_reports_in_main_and_worker_threads_are_masked():
    code = textwrap.dedent(f"""
        import threading
        from studio.core.log import setup_logging
        setup_logging()
        url = "rtmps://ingest.example.com/live/" + {TEST_STREAM_KEY!r}
        t = threading.Thread(target=lambda: (_ for _ in ()).throw(RuntimeError("sender died on " + url)))
        t.start(); t.join()
        raise RuntimeError("could not publish to " + url)
        """)
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=False)
    assert res.returncode == 1
    assert "sender died on rtmps://ingest.example.com/live/****" in res.stderr
    assert "could not publish to rtmps://ingest.example.com/live/****" in res.stderr
    assert_no_secret(res.stderr, "a crash report")


def test_log_records_are_masked_for_every_handler_not_only_the_console(caplog):
    register_secret(TEST_OAUTH_TOKEN)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("thirdparty.lib").debug("GET https://api.example.com/x?access_token=%s",
                                              TEST_OAUTH_TOKEN)
    logging.getLogger("studio.test").warning("token %s in a message", TEST_OAUTH_TOKEN)
    try:
        raise ValueError(f"bad token {TEST_OAUTH_TOKEN}")
    except ValueError:
        logging.getLogger("studio.test").exception("failed")
    assert_no_secret(caplog.text, "pytest's log capture")
    assert "access_token=****" in caplog.text and "bad token ****" in caplog.text


# -- connectors with the test credentials, against local servers that misbehave ----------------

def _echo_handler(secret: str, responses: list):
    """Serve `responses` in turn (then the last one again); each may echo the credential back."""
    state = {"n": 0}

    def handle(req: Request):
        i = min(state["n"], len(responses) - 1)
        state["n"] += 1
        return responses[i](req)

    return handle


def _connector_output(ev, caplog) -> str:
    """What the host and the logs get: connector states (messages shown in the UI) and every log record.
    Chat and order *data* a hostile server fills with the token is the platform's content, not ours."""
    return "\n".join([repr(e) for e in ev.states] + [caplog.text])


def test_youtube_api_key_is_masked_in_states_logs_and_errors(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("STUDIO_YOUTUBE_API_KEY", TEST_API_KEY)
    monkeypatch.delenv("STUDIO_YOUTUBE_TOKEN", raising=False)
    def echo(req):
        return json_response(
            {"error": {"code": 400,
                       "message": f"API key {req.query.get('key')} not valid for ?key={req.query.get('key')}",
                       "errors": [{"reason": "badRequest", "message": "bad"}]}}, status=400)
    responses = [echo, lambda req: html_response(502), lambda req: json_response({"items": []}, status=500),
                 lambda req: json_response({"error": {"code": 401, "message": f"key={req.query.get('key')}",
                                                      "errors": [{"reason": "authError"}]}}, status=401)]
    with FakeServer(_echo_handler(TEST_API_KEY, responses)) as srv:
        ev = run_connector(YouTubeChat({"live_chat_id": "CHAT1", "api_base": srv.base, "retry": "0.01",
                                        "min_interval": "0.01"}),
                           lambda e: FeedState.FAILED in e.state_names(), timeout=10)
        assert srv.requests and all(r.query.get("key") == TEST_API_KEY for r in srv.requests)
    out = _connector_output(ev, caplog)
    show(out)
    assert FeedState.FAILED in ev.state_names()
    assert_no_secret(out, "YouTube connector states and logs")


def test_youtube_oauth_token_is_masked(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("STUDIO_YOUTUBE_TOKEN", TEST_OAUTH_TOKEN)
    def echo(req):
        return json_response(
            {"error": {"code": 403, "message": f"token {req.headers.get('authorization')} has no scope",
                       "errors": [{"reason": "forbidden"}]}}, status=403)
    with FakeServer(_echo_handler(TEST_OAUTH_TOKEN, [echo])) as srv:
        ev = run_connector(YouTubeChat({"live_chat_id": "CHAT1", "api_base": srv.base}),
                           lambda e: FeedState.FAILED in e.state_names(), timeout=10)
    out = _connector_output(ev, caplog)
    show(out)
    assert_no_secret(out, "YouTube OAuth connector states and logs")


def test_shopify_token_is_masked_in_states_logs_and_errors(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("STUDIO_SHOPIFY_TOKEN", TEST_SHOP_TOKEN)
    def tok(req):
        return req.headers.get("x-shopify-access-token")
    responses = [lambda req: json_response({"errors": f"token {tok(req)} throttled"}, status=429,
                                           headers={"Retry-After": "0.01"}),
                 lambda req: (500, {"Content-Type": "text/plain"}, f"boom {tok(req)}".encode()),
                 lambda req: json_response({"orders": [{"id": 1, "currency": tok(req),
                                                        "total_price": tok(req)}]}),
                 lambda req: json_response({"errors": f"[API] Invalid API key or access token ({tok(req)})"},
                                           status=401)]
    with FakeServer(_echo_handler(TEST_SHOP_TOKEN, responses)) as srv:
        ev = run_connector(ShopifyOrders({"shop": "teashop", "api_base": srv.base, "interval": "0.01",
                                          "retry": "0.01"}),
                           lambda e: FeedState.FAILED in e.state_names(), timeout=10)
        assert all(r.headers.get("x-shopify-access-token") == TEST_SHOP_TOKEN for r in srv.requests)
    out = _connector_output(ev, caplog)
    show(out)
    assert FeedState.FAILED in ev.state_names()
    assert_no_secret(out, "Shopify connector states and logs")


def test_generic_feed_token_is_masked_poll_and_sse(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("STUDIO_FEED_TOKEN", TEST_FEED_TOKEN)
    def auth(req):
        return req.headers.get("authorization", "")
    responses = [lambda req: (500, {"Content-Type": "text/html"}, f"<h1>{auth(req)}</h1>".encode()),
                 lambda req: json_response({"events": [{"type": "chat", "text": 5, "at": auth(req)},
                                                       {"type": auth(req)}]}),
                 lambda req: (200, {"Content-Type": "text/event-stream"}, f"data: {auth(req)}\n\n".encode()),
                 lambda req: json_response({"error": auth(req)}, status=403)]
    with FakeServer(_echo_handler(TEST_FEED_TOKEN, responses)) as srv:
        ev = run_connector(GenericFeed({"url": srv.base + "/feed", "interval": "0.01", "retry": "0.01"}),
                           lambda e: FeedState.FAILED in e.state_names(), timeout=10)
        assert all(r.headers.get("authorization") == f"Bearer {TEST_FEED_TOKEN}" for r in srv.requests)
    out = _connector_output(ev, caplog)
    show(out)
    assert_no_secret(out, "generic feed connector states and logs")


# -- what the host sees: the settings dialog's URL line, the status bar --------------------------

def test_profile_file_and_key_line_show_only_the_masked_key(tmp_path, monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    from studio.app.profile.load import load_profile
    from studio.app.profile.model import Destination, ShowSpec
    from studio.app.profile.save import save_profile
    from studio.core.secrets import set_secret

    previous = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        d = Destination(name="YouTube", preset="youtube",
                        url="rtmps://a.rtmps.youtube.com/live2/${keyring:destination:yt1}")
        set_secret("destination:yt1", TEST_STREAM_KEY)
        path = save_profile(ShowSpec(destinations=(d,)), tmp_path / "profile.toml")
        from studio.ui.settings_dialog import DestinationRow, key_status

        line = key_status(DestinationRow.of(d))
    finally:
        keyring.set_keyring(previous)
    text = path.read_text()
    show(text + "\n" + line)
    assert_no_secret(text, "profile.toml")
    assert load_profile(path).spec.destinations == (d,)
    assert line == "rtmps://a.rtmps.youtube.com/live2/****"


def test_status_bar_and_status_line_mask_a_destination_named_by_its_url():
    from studio.app.status_text import status_line
    from studio.media.outputs.base import OutputState, OutputStats
    from studio.media.stats import ShowStats
    from studio.ui.main_window import status_parts

    url = f"rtmp://127.0.0.1:1935/live/{TEST_STREAM_KEY}"
    s = ShowStats(time=12.5, fps=30.0, cpu=12, render_ms=1.0, encode_ms=2.0,
                  outputs=(OutputStats(url, OutputState.RECONNECTING, f"reconnecting to {url}", reconnects=1,
                                       waiting_s=3.0),),
                  names={url: url})
    texts = [status_line(s), *(text for text, _ in status_parts(s))]
    show("\n".join(texts))
    for t in texts:
        assert_no_secret(t, "a status line")
    assert "live/****" in texts[0]
