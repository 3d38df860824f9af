from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from studio.media.clock import as_rate, cfr_step, frame_due, frame_index_at, rescale


def test_ntsc_rate_is_exact():
    assert as_rate(29.97) == Fraction(30000, 1001)
    assert as_rate(30) == Fraction(30)


@given(st.integers(0, 10_000_000),
       st.sampled_from([Fraction(30), Fraction(25), Fraction(30000, 1001), Fraction(60)]))
def test_frame_index_round_trips_its_own_deadline(index, rate):
    t0 = 1000.0
    assert frame_index_at(t0, frame_due(t0, index, rate), rate) == index


@given(st.integers(-10**12, 10**12))
def test_rescale_video_to_audio_and_back_is_exact_for_whole_frames(frames):
    pts = rescale(frames, Fraction(1, 30), Fraction(1, 48000))
    assert pts == frames * 1600
    assert rescale(pts, Fraction(1, 48000), Fraction(1, 30)) == frames


def test_first_frame_is_encoded_as_is():
    step = cfr_step(None, 0)
    assert (step.duplicates, step.drop) == (0, False)


def test_gap_is_filled_with_duplicates():
    assert cfr_step(10, 13).duplicates == 2


def test_late_or_repeated_index_is_dropped():
    assert cfr_step(10, 10).drop and cfr_step(10, 9).drop


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_cfr_output_indices_are_strictly_increasing_and_contiguous_for_small_gaps(last, nxt):
    step = cfr_step(last, nxt, max_duplicates=30)
    if nxt <= last:
        assert step.drop
    else:
        assert not step.drop
        assert step.duplicates == min(nxt - last - 1, 30)
