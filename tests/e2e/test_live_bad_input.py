"""`studio live` with bad input: one clear line naming the problem and the fix, exit code 2, no traceback.
Run as a subprocess, the way a kiosk script runs it."""

from __future__ import annotations

import pytest

from tests.support.studio_proc import run_studio


@pytest.fixture
def not_an_image(tmp_path):
    p = tmp_path / "logo.png"
    p.write_text("this is text, not a PNG")
    return p


@pytest.fixture
def bad_scene(tmp_path):
    p = tmp_path / "station.toml"
    p.write_text('[canvas]\nwidth = 1280\nheight = 720\n\n'
                 '[[layer]]\nkind = "video"\nsource = "testsrc"\nx = "20"\n')
    return p


CASES = {
    "unknown device": (["--video", "webcam:0"], "Unknown video source"),
    "unreadable file": (["--video", "file:/nonexistent/clip.mp4"], "does not exist"),
    "malformed URL": (["--out", "http://example.com/live"], "is not an rtmp:// or rtmps:// URL"),
    "destination without a key": (["--out", "rtmp://host"], "no stream key at the end of the address"),
    "unsupported size": (["--size", "1281x720"], "must be even"),
    "size that is not a size": (["--size", "big"], "is not WIDTHxHEIGHT"),
    "image flag without a position": (["--image", "logo.png"], "is not PATH@X,Y"),
    "nothing to do": ([], "nothing to do"),
    "bitrate out of range": (["--bitrate", "5"], "out of range"),
    "unknown encoder": (["--encoder", "h265_magic"], "unknown encoder"),
    "missing stream-key variable": (["--out", "rtmp://host/app/${STUDIO_E2E_MISSING_KEY}"],
                                    "STUDIO_E2E_MISSING_KEY"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_one_line_and_exit_code_2(name):
    args, expected = CASES[name]
    if "--out" not in args and name not in ("nothing to do",):
        args = [*args, "--record", "/tmp/never-written.mkv"]
    res = run_studio("live", *args, "--duration", "1", timeout=60)
    assert res.returncode == 2, (res.returncode, res.stderr)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("studio: "), res.stderr
    assert expected in lines[0], lines[0]
    assert "Traceback" not in res.stderr


def test_an_image_that_is_not_an_image(not_an_image, tmp_path):
    res = run_studio("live", "--image", f"{not_an_image}@10,10", "--record", str(tmp_path / "x.mkv"),
                     "--duration", "1", timeout=60)
    assert res.returncode == 2 and "is not an image" in res.stderr and "Traceback" not in res.stderr


def test_a_scene_file_with_a_bad_value_names_file_line_and_field_and_the_show_goes_on(bad_scene, tmp_path):
    out = tmp_path / "x.mkv"
    res = run_studio("live", "--scene", str(bad_scene), "--record", str(out), "--duration", "1", timeout=60)
    assert res.returncode == 0, res.stderr
    assert (f"studio: {bad_scene}:8: 'x' in [[layer]] 1 must be a whole number, not '20' — write e.g. x = 0"
            in res.stderr.splitlines())
    assert "Traceback" not in res.stderr and out.stat().st_size > 0
