"""Scene files (version-0 profiles) and the desktop's old settings.toml (version 1), both read by the
profile loader: any document is a show, each bad value one problem naming file and line — never another
exception. A host profile that is not TOML is moved aside, not fatal."""

from __future__ import annotations

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.app.host_profile import open_profile
from studio.app.profile.load import load_profile, parse_profile
from studio.core.errors import UserError

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

TOML_SCALAR = st.one_of(st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
                        st.floats(allow_nan=True), st.text(max_size=20),
                        st.sampled_from([0, 1, 2, 16, 720, 1280, 4096, 4097, 29.97, 1.5, -1, "camera:0",
                                         "tone"]))
LAYER_KEYS = ["kind", "source", "path", "x", "y", "width", "height", "crop", "opacity", "visible", "gain",
              "muted"]


def toml_values(keys):
    key = st.one_of(st.sampled_from(keys), st.text(min_size=1, max_size=6))
    def nest(ch):
        return st.one_of(st.lists(ch, max_size=4), st.dictionaries(key, ch, max_size=5))

    return st.recursive(TOML_SCALAR, nest, max_leaves=12)


SCENE_DOC = st.fixed_dictionaries({}, optional={
    "canvas": st.one_of(st.dictionaries(st.sampled_from(["width", "height", "fps"]), TOML_SCALAR),
                        TOML_SCALAR),
    "layer": st.one_of(st.lists(st.one_of(st.dictionaries(st.sampled_from(LAYER_KEYS),
                                                          toml_values(LAYER_KEYS)),
                                          TOML_SCALAR), max_size=3), TOML_SCALAR),
    "audio": st.one_of(st.lists(st.one_of(st.dictionaries(st.sampled_from(["source", "gain", "muted"]),
                                                          TOML_SCALAR),
                                          TOML_SCALAR), max_size=3), TOML_SCALAR),
    "extra": TOML_SCALAR,
})


def _dump(doc) -> str | None:
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return None  # not representable in TOML (a list mixing tables and values…)


@FUZZ
@given(SCENE_DOC)
def test_any_scene_document_loads_or_names_file_and_field(tmp_path, doc):
    text = _dump(doc)
    if text is None:
        return
    path = tmp_path / "station.toml"
    path.write_text(text)
    try:
        loaded = load_profile(path)
    except UserError as e:
        assert str(path) in str(e) and len(str(e)) < 400, str(e)
        return
    for problem in loaded.problems:
        assert str(problem).startswith(f"{path}:") and len(str(problem)) < 400, str(problem)
    spec = loaded.spec
    w, h = spec.canvas.size
    assert 16 <= w <= 4096 and 16 <= h <= 4096 and 1 <= spec.canvas.fps <= 120
    assert all(0 <= a.gain <= 4 for a in spec.audio)


@FUZZ
@given(st.text(max_size=300))
def test_any_text_as_a_scene_file(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_bytes(text.encode("utf-8", "replace"))
    try:
        loaded = load_profile(path)
    except UserError as e:
        assert str(path) in str(e)
        return
    assert all(str(p).startswith(f"{path}:") for p in loaded.problems)


SETTINGS_KEYS = ["version", "language", "width", "height", "fps", "bitrate_kbps", "encoder", "record",
                 "recordings_dir", "camera", "catalog", "feeds", "blocked_words", "first_run_done",
                 "destinations", "layers", "audio", "name", "preset", "server", "enabled", "key_name",
                 "source",
                 "x", "y", "visible", "gain", "muted"]


@FUZZ
@given(st.dictionaries(st.sampled_from(SETTINGS_KEYS), toml_values(SETTINGS_KEYS), max_size=8))
def test_any_old_settings_document_migrates_to_a_show(doc):
    text = _dump({**doc, "version": 1})
    if text is None:
        return
    loaded = parse_profile(text, "settings.toml")
    assert loaded.migrated_from == 1
    assert all(str(p).startswith("settings.toml:") for p in loaded.problems)
    assert 16 <= loaded.spec.canvas.width <= 4096


@FUZZ
@given(st.binary(max_size=300))
def test_a_corrupt_host_profile_opens_a_new_show_with_one_sentence(tmp_path, monkeypatch, data):
    home = tmp_path / "home"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    from studio.app.host_profile import host_profile_path

    path = host_profile_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    spec, messages, first_run = open_profile()
    assert spec.canvas.width >= 16
    if first_run:
        assert len(messages) == 1 and "moved" in messages[0]
    for f in path.parent.glob("profile.toml.corrupt-*"):
        f.unlink()


def test_hostile_scene_files_name_the_line(tmp_path):
    cases = {
        "layer = [1]": ":1: [[layer]] 1 must be a table, not 1",
        "audio = 5": ":1: 'audio' must be written as [[audio]] tables, one per audio",
        "audio = [1]": ":1: [[audio]] 1 must be a table, not 1",
        "[[audio]]\nsource = 'tone'\ngain = nan": ":3: 'gain' in [[audio]] 1 must be a number, not nan",
        "[canvas]\nwidth = '" + "x" * 100_000 + "'":
            ":2: 'width' in [canvas] must be a whole number, not 'xxx",
    }
    for text, expected in cases.items():
        path = tmp_path / "s.toml"
        path.write_text(text)
        problems = [str(p) for p in load_profile(path).problems]
        assert any(expected in p and len(p) < 300 for p in problems), problems
    path.write_text("a = " + "[" * 5000 + "]" * 5000)
    try:
        load_profile(path)
    except UserError as e:
        assert "nested too deeply" in str(e)
    else:
        raise AssertionError("a document nested 5000 deep was accepted")
