"""Fuzz fixtures: credentials for connectors (fake values, set once per test function)."""

from __future__ import annotations

import pytest


@pytest.fixture
def monkeypatch_env(monkeypatch):
    monkeypatch.setenv("STUDIO_YOUTUBE_API_KEY", "AIza-fuzz")
    monkeypatch.delenv("STUDIO_YOUTUBE_TOKEN", raising=False)
    monkeypatch.setenv("STUDIO_SHOPIFY_TOKEN", "shpat-fuzz")
    monkeypatch.delenv("STUDIO_FEED_TOKEN", raising=False)
    return monkeypatch
