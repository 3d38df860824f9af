"""The test suite's secrets: distinctive values that must never appear in anything the studio prints,
logs or writes. `tests/support/secret_scan.py` greps every captured output and every file the tests
wrote for them at the end of the session.

They are built from parts so that this file (and any test source) does not itself contain the
finished value: a grep of the repository or of a traceback that shows source lines finds no hit.
"""

from __future__ import annotations

_PREFIX = "TESTKEY"

TEST_STREAM_KEY = "sk_live_" + _PREFIX + "_7f3a9c"            # an RTMP(S) stream key
TEST_API_KEY = "AIza" + _PREFIX + "_api_51c0d2"               # a YouTube Data API key
TEST_OAUTH_TOKEN = "ya29." + _PREFIX + "_oauth_88e1b7"        # a YouTube OAuth bearer token
TEST_SHOP_TOKEN = "shpat_" + _PREFIX + "_shop_2b9f44"         # a Shopify Admin API access token
TEST_FEED_TOKEN = "feed_" + _PREFIX + "_bearer_e04a17"        # a generic-feed bearer token

TEST_SECRETS: dict[str, str] = {
    "TEST_STREAM_KEY": TEST_STREAM_KEY,
    "TEST_API_KEY": TEST_API_KEY,
    "TEST_OAUTH_TOKEN": TEST_OAUTH_TOKEN,
    "TEST_SHOP_TOKEN": TEST_SHOP_TOKEN,
    "TEST_FEED_TOKEN": TEST_FEED_TOKEN,
}
