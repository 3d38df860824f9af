"""The one place an httpx client is built: explicit timeouts, TLS verified, nothing from the
environment (no proxy or certificate settings that could weaken it), redirects only where asked."""

from __future__ import annotations

from typing import Any

import httpx

USER_AGENT = "AnchorStudio/0.1 (+live-commerce studio)"


def make_client(timeout: float = 10.0, connect_timeout: float = 5.0, follow_redirects: bool = False,
                **kw: Any) -> httpx.Client:
    """Connectors keep `follow_redirects=False`: a redirect would carry their token to another host.
    Product images (no credentials) may follow a CDN's redirects."""
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=connect_timeout),
                        follow_redirects=follow_redirects, max_redirects=5,
                        headers={"User-Agent": USER_AGENT}, trust_env=False, **kw)


def make_async_client(timeout: httpx.Timeout, **kw: Any) -> httpx.AsyncClient:
    """The same rules for a library that wants an asyncio client (TikTokLive's sign server): TLS
    verified, nothing from the environment, no redirects."""
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False, **kw)
