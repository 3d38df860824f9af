"""A stream key typed into a slightly wrong destination is masked wherever the string is echoed:
one slash, a missing colon, http://, no scheme, no app, a query — valid URL or not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.core.errors import UserError
from studio.core.secrets import mask_url
from studio.media.outputs.network import validate_url

KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=12,
               max_size=48)
SHAPES = ["rtmp://{h}/app/{k}", "rtmp:/{h}/app/{k}", "rtmp//{h}/app/{k}", "rtmp:{h}/app/{k}", "http://{h}/app/{k}",
          "https://{h}/live2/{k}?backup=1", "{h}/live2/{k}", "rtmp://{h}/{k}", "rtmps://{h}:443/rtmp/{k}",
          "  rtmp://{h}/a/b/{k}  ", "rtmpx://{h}/app/{k}", "srt://{h}/app/{k}"]


HOSTS = st.sampled_from(["a.rtmp.youtube.com", "127.0.0.1:1935", "live.twitch.tv"])


@given(KEYS, st.sampled_from(SHAPES), HOSTS)
def test_no_shape_of_destination_shows_its_key(key, shape, host):
    url = shape.format(h=host, k=key)
    assert key not in mask_url(url)
    try:
        validate_url(url)
    except UserError as e:
        assert key not in str(e)


@pytest.mark.parametrize("url", ["rtmp://host/live", "rtmp://host:1935/app"])
def test_a_destination_without_a_key_is_shown_as_it_is(url):
    assert mask_url(url) == url
