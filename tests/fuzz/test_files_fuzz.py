"""Scene TOML and settings TOML: any document is a scene/settings or one error naming the file, the
table and the field — never another exception. A bad settings file is moved aside, not fatal."""

from __future__ import annotations

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.app.settings import SettingsError, from_toml, load_settings
from studio.core.errors import UserError
from studio.media.scene import load_scene

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

TOML_SCALAR = st.one_of(st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
                        st.floats(allow_nan=True), st.text(max_size=20),
                        st.sampled_from([0, 1, 2, 16, 720, 1280, 4096, 4097, 29.97, 1.5, -1, "camera:0", "tone"]))
LAYER_KEYS = ["kind", "source", "path", "x", "y", "width", "height", "crop", "opacity", "visible", "gain", "muted"]


def toml_values(keys):
    key = st.one_of(st.sampled_from(keys), st.text(min_size=1, max_size=6))
    return st.recursive(TOML_SCALAR, lambda ch: st.one_of(st.lists(ch, max_size=4),
                                                          st.dictionaries(key, ch, max_size=5)), max_leaves=12)


SCENE_DOC = st.fixed_dictionaries({}, optional={
    "canvas": st.one_of(st.dictionaries(st.sampled_from(["width", "height", "fps"]), TOML_SCALAR), TOML_SCALAR),
    "layer": st.one_of(st.lists(st.one_of(st.dictionaries(st.sampled_from(LAYER_KEYS), toml_values(LAYER_KEYS)),
                                          TOML_SCALAR), max_size=3), TOML_SCALAR),
    "audio": st.one_of(st.lists(st.one_of(st.dictionaries(st.sampled_from(["source", "gain", "muted"]), TOML_SCALAR),
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
        scene = load_scene(path)
    except UserError as e:
        assert str(path) in str(e) and len(str(e)) < 400, str(e)
        return
    w, h = scene.size
    assert 16 <= w <= 4096 and 16 <= h <= 4096 and 1 <= scene.fps <= 120
    assert all(0 <= a.gain <= 4 for a in scene.audio)


@FUZZ
@given(st.text(max_size=300))
def test_any_text_as_a_scene_file(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_bytes(text.encode("utf-8", "replace"))
    try:
        load_scene(path)
    except UserError as e:
        assert str(path) in str(e)


SETTINGS_KEYS = ["version", "language", "width", "height", "fps", "bitrate_kbps", "encoder", "record",
                 "recordings_dir", "camera", "catalog", "feeds", "blocked_words", "first_run_done",
                 "destinations", "layers", "audio", "name", "preset", "server", "enabled", "key_name", "source",
                 "x", "y", "visible", "gain", "muted"]


@FUZZ
@given(st.dictionaries(st.sampled_from(SETTINGS_KEYS), toml_values(SETTINGS_KEYS), max_size=8))
def test_any_settings_document_is_valid_or_a_settings_error_naming_the_field(doc):
    text = _dump(doc)
    if text is None:
        return
    try:
        s = from_toml(text)
    except SettingsError as e:
        assert str(e)
        return
    s.validate()


@FUZZ
@given(st.binary(max_size=300))
def test_a_corrupt_settings_file_gives_defaults_and_one_sentence(tmp_path, data):
    path = tmp_path / "settings.toml"
    path.write_bytes(data)
    settings_, message = load_settings(path)
    assert settings_.validate() is settings_
    assert message is None or "defaults" in message


def test_hostile_scene_files_name_the_table(tmp_path):
    cases = {
        "layer = [1]": "layer 1: a layer is a [[layer]] table",
        "audio = 5": "audio sources are written as [[audio]] tables",
        "audio = [1]": "audio 1: an audio source is an [[audio]] table",
        "[[audio]]\nsource = 'tone'\ngain = nan": "audio 1: 'gain' must be between 0 and 4",
        "a = " + "[" * 5000 + "]" * 5000: "nested too deeply",
        "[canvas]\nwidth = '" + "x" * 100_000 + "'": "'width' must be an integer",
    }
    for text, expected in cases.items():
        path = tmp_path / "s.toml"
        path.write_text(text)
        try:
            load_scene(path)
        except UserError as e:
            assert expected in str(e) and len(str(e)) < 300, str(e)[:300]
        else:
            raise AssertionError(f"accepted: {text[:40]!r}")
