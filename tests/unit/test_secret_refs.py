import pytest

from studio.core.errors import UserError
from studio.core.secrets import expand_secret_refs, mask_text


def test_env_reference_is_expanded_and_then_masked(monkeypatch):
    monkeypatch.setenv("STUDIO_TEST_KEY", "abcd-efgh-1234")
    url = expand_secret_refs("rtmp://a.rtmp.youtube.com/live2/${STUDIO_TEST_KEY}")
    assert url == "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-1234"
    assert "abcd-efgh-1234" not in mask_text(f"could not reach {url}")
    assert "abcd-efgh-1234" not in mask_text("the key abcd-efgh-1234 appeared on its own")


def test_missing_reference_names_where_the_key_should_be(monkeypatch):
    monkeypatch.delenv("STUDIO_NOPE", raising=False)
    with pytest.raises(UserError, match="environment variable STUDIO_NOPE"):
        expand_secret_refs("rtmp://h/app/${STUDIO_NOPE}")


def test_text_without_references_is_unchanged():
    assert expand_secret_refs("rtmp://h/app/plainkey") == "rtmp://h/app/plainkey"
