"""A profile saved by the window runs headless as it is, and what `studio live` saves opens in the window."""

from __future__ import annotations

from dataclasses import replace

from studio.app.host_profile import open_profile
from studio.app.profile.load import load_profile
from studio.app.profile.model import Feed, Layer, Recording
from tests.support.studio_proc import run_studio
from tests.ui.conftest import test_spec


def test_the_windows_profile_runs_headless_and_back(make_window, tmp_path):
    w = make_window(test_spec(feeds=()))
    w.controller.add_layer(Layer(kind="text", text="包邮 Free shipping", x=20, y=300))
    w.controller.set_layer(0, replace(w.controller.layers[0], crop=(40, 0, 40, 0)))
    w.controller.pin_index(1)
    path = tmp_path / "shop.toml"
    w.profile_path = path
    w.settings_applied(replace(w.controller.spec, recording=Recording(True, path=str(tmp_path / "show.mkv")),
                               feeds=(Feed("demo", options=(("rate", "20"),)),)), False)
    saved = load_profile(path)
    assert saved.problems == []
    assert [layer.kind for layer in saved.spec.layers] == ["video", "text"]
    assert saved.spec.layers[0].crop == (40, 0, 40, 0)

    res = run_studio("live", "--profile", str(path), "--duration", "2", "--quiet", timeout=90,
                     env={"QT_QPA_PLATFORM": "offscreen"})
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "show.mkv").stat().st_size > 10_000

    again = tmp_path / "again.toml"
    res = run_studio("live", "--profile", str(path), "--bitrate", "1200", "--save-profile", str(again),
                     timeout=60)
    assert res.returncode == 0, res.stderr
    spec, messages, first_run = open_profile(again)
    assert messages == [] and not first_run
    assert spec.encoding.bitrate_kbps == 1200
    assert replace(spec, encoding=saved.spec.encoding, base_dir="") == replace(saved.spec, base_dir="")


def test_studio_profile_opens_the_window_on_that_file():
    res = run_studio("--profile", "/nonexistent/shop.toml", timeout=60, env={"QT_QPA_PLATFORM": "offscreen"})
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip() == ("studio: /nonexistent/shop.toml: the profile does not exist — check the "
                                  "path, or write one with `studio live … --save-profile FILE`")
