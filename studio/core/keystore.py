"""Where secrets are kept when the machine has no OS keyring (a Linux kiosk without a desktop session).

The OS keyring (GNOME Keyring / KWallet, macOS Keychain, Windows Credential Manager — DPAPI-protected)
is always preferred. Without one, the studio can keep its keys in an **encrypted file**,
`<data folder>/keys.cfg`, through keyrings.cryptfile: each value sealed with AES-GCM under a key
derived from a passphrase with Argon2. The passphrase itself is never stored: the host types it in
the window, or a kiosk passes it in `STUDIO_KEYRING_PASSPHRASE`. Plain text is never an option.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from studio.core.errors import UserError
from studio.core.log import get_logger
from studio.core.paths import data_dir
from studio.core.secrets import register_secret

log = get_logger("core.keystore")

PASSPHRASE_ENV = "STUDIO_KEYRING_PASSPHRASE"
MIN_PASSPHRASE = 8


def key_file() -> Path:
    return data_dir() / "keys.cfg"


def os_keyring_usable() -> bool:
    """Whether the OS keyring answers (a backend exists and is not locked shut)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return False
        chained = getattr(backend, "backends", None)
        if chained is not None and not chained:
            return False
        backend.get_password("anchor-studio", "probe")
    except Exception:  # noqa: BLE001 - every backend has its own errors: none of them is usable
        return False
    return True


def encrypted_store_active() -> bool:
    import keyring

    return type(keyring.get_keyring()).__name__ == "CryptFileKeyring"


def use_encrypted_store(passphrase: str, path: Path | None = None) -> Any:
    """Keep the studio's secrets in the encrypted key file from now on (for this process). A new file is
    created with this passphrase; an existing one must open with it. UserError otherwise."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"the key file's passphrase needs at least {MIN_PASSPHRASE} characters")
    register_secret(passphrase)
    import keyring
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    path = path or key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    store = CryptFileKeyring()
    store.file_path = str(path)
    try:
        store.keyring_key = passphrase   # opens (or creates) the file: a wrong passphrase fails here
    except ValueError:
        raise UserError(f"the passphrase does not open the studio's key file {path}: type it again "
                        "(or move the file aside to start a new one)") from None
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    keyring.set_keyring(store)
    log.info("secrets are kept in the encrypted key file %s", path)
    return store


def from_environment() -> bool:
    """At start: with no OS keyring and `STUDIO_KEYRING_PASSPHRASE` set, open the encrypted key file.
    Returns whether it is now in use; UserError for a wrong passphrase."""
    passphrase = os.environ.get(PASSPHRASE_ENV, "")
    if not passphrase or os_keyring_usable():
        return False
    use_encrypted_store(passphrase)
    return True
