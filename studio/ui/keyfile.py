"""The one place the window offers the studio's encrypted key file when the machine has no OS keyring
(Settings → Destinations and Settings → Feeds alike): a passphrase, never plain text."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from studio.core.errors import UserError
from studio.core.keystore import encrypted_store_active, use_encrypted_store
from studio.core.secrets import mask_text
from studio.ui.i18n import tr


def ask_passphrase(parent: QWidget | None) -> str | None:
    """The passphrase for the studio's encrypted key file, or None (the host prefers the environment)."""
    text, ok = QInputDialog.getText(
        parent, tr("Keep stream keys in an encrypted file"),
        tr("This machine has no OS keyring. Choose a passphrase (at least 8 characters) to keep the "
           "studio's stream keys in an encrypted file; you type it again when the studio starts, or a "
           "kiosk sets it in STUDIO_KEYRING_PASSPHRASE. Cancel to read the key from an environment "
           "variable instead."), QLineEdit.EchoMode.Password)
    return text if ok and text else None


def offer_key_file(parent: QWidget | None) -> bool:
    """After the OS keyring refused a secret: offer the encrypted key file; whether it is now in use."""
    if encrypted_store_active():
        return False   # it is in use and refused too: nothing more to offer
    passphrase = ask_passphrase(parent)
    if not passphrase:
        return False
    try:
        use_encrypted_store(passphrase)
    except UserError as e:
        QMessageBox.warning(parent, tr("Stream key"), mask_text(str(e)))
        return False
    return True
