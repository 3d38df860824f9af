"""Run `studio` as a subprocess, the way a kiosk runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def studio_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "studio", *args]


def run_studio(*args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {**os.environ, **(env or {})}
    return subprocess.run(studio_cmd(*args), cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=e)


def start_studio(*args: str, env: dict | None = None) -> subprocess.Popen:
    e = {**os.environ, **(env or {})}
    return subprocess.Popen(studio_cmd(*args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=e)
