"""The wizard's upload test: a test pattern sent to the destination's test mode, and what the server
acknowledged — through a real nginx-rtmp, throttled by a proxy like a shop's uplink."""

from __future__ import annotations

import pytest

from studio.app.bench.fault_proxy import FaultProxy
from studio.app.controller import Proposal, fit_upload, measure_upload
from studio.core.errors import UserError

pytestmark = pytest.mark.slow


def test_the_upload_test_measures_what_the_link_carries_and_the_bitrate_fits_it(rtmp_server):
    with FaultProxy(rtmp_server.port) as proxy:
        proxy.throttle(100_000, 60.0)                     # 800 kbps of uplink
        url = proxy.url("upload") + "?bandwidthtest=true"
        kbps = measure_upload(url, 3000, seconds=4.0, size=(640, 360))
    assert 500 < kbps < 1100, kbps
    p = fit_upload(Proposal(1280, 720, 30, 3500, "libx264", {}, []), kbps)
    assert p.upload_kbps == round(kbps, 1) and p.bitrate_kbps <= kbps * 0.8 and p.bitrate_kbps >= 500


def test_an_open_link_carries_the_whole_bitrate(rtmp_server):
    url = rtmp_server.url("upload2") + "?bandwidthtest=true"
    kbps = measure_upload(url, 1500, seconds=3.0, size=(640, 360))
    assert kbps > 900, kbps
    p = fit_upload(Proposal(1280, 720, 30, 1000, "libx264", {}, []), kbps)   # probed at 1.5× the proposal
    assert p.bitrate_kbps == 1000                       # a fast enough link changes nothing


def test_a_destination_that_never_goes_live_is_one_sentence():
    with pytest.raises(UserError, match="the upload test did not go live"):
        measure_upload("rtmp://127.0.0.1:1/live/k?bandwidthtest=true", 1000, seconds=1.0, size=(320, 180),
                       connect_timeout=5.0)
