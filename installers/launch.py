"""Entry point of the bundled app: the same CLI as `studio` (no argument opens the window)."""

import os
import sys
from pathlib import Path

if getattr(sys, "frozen", False):
    os.environ.setdefault("STUDIO_RESOURCES", str(Path(sys._MEIPASS) / "resources"))  # noqa: SLF001

from studio.cli import main  # noqa: E402

raise SystemExit(main())
