"""No OS keyring: the stream keys go to the studio's encrypted key file (Argon2 + AES-GCM through
keyrings.cryptfile), never to plain text; a wrong passphrase is one clear line; the CLI opens the file
from STUDIO_KEYRING_PASSPHRASE."""

from __future__ import annotations

import subprocess
import sys

import keyring
import pytest
from keyring.backends import fail

from studio.core.errors import UserError
from studio.core.keystore import key_file, os_keyring_usable, use_encrypted_store
from studio.core.secrets import expand_secret_refs, get_secret, set_secret
from tests.conftest import ROOT

KEY = "live_4711_kioskonly_key"


@pytest.fixture
def no_os_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_keys_are_sealed_in_the_key_file_and_open_only_with_the_passphrase(no_os_keyring):
    assert not os_keyring_usable()
    use_encrypted_store("correct horse battery")
    set_secret("destination:kiosk", KEY)
    assert get_secret("destination:kiosk") == KEY
    assert expand_secret_refs("rtmp://h/app/${keyring:destination:kiosk}") == "rtmp://h/app/" + KEY
    raw = key_file().read_bytes()
    assert KEY.encode() not in raw and b"kioskonly" not in raw           # sealed, not plain text
    assert (key_file().stat().st_mode & 0o777) == 0o600
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(UserError, match="the passphrase does not open the studio's key file"):
        use_encrypted_store("wrong passphrase!")
    use_encrypted_store("correct horse battery")                        # the next start
    assert get_secret("destination:kiosk") == KEY


def test_a_short_passphrase_is_refused(no_os_keyring):
    with pytest.raises(UserError, match="at least 8 characters"):
        use_encrypted_store("short")


def test_the_cli_opens_the_key_file_from_the_environment(no_os_keyring, tmp_path, _studio_home):
    use_encrypted_store("kiosk passphrase 1")
    set_secret("destination:cli", KEY)
    # a child with no keyring backend at all, the passphrase in the environment: the key resolves
    code = ("import sys; from studio.core.keystore import from_environment;"
            "from studio.core.secrets import get_secret;"
            "print(from_environment(), get_secret('destination:cli') == sys.argv[1])")
    env = {"STUDIO_HOME": str(_studio_home), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "STUDIO_KEYRING_PASSPHRASE": "kiosk passphrase 1"}
    out = subprocess.run([sys.executable, "-c", code, KEY], capture_output=True, text=True, env=env,
                         timeout=60, cwd=ROOT)
    assert out.stdout.split() == ["True", "True"], out.stderr
    env["STUDIO_KEYRING_PASSPHRASE"] = "not the passphrase"
    out = subprocess.run([sys.executable, "-m", "studio", "live", "--record", str(tmp_path / "x.mkv"),
                          "--duration", "1"], capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "the passphrase does not open the studio's key file" in out.stderr
    assert "not the passphrase" not in out.stderr and not (tmp_path / "x.mkv").exists()
