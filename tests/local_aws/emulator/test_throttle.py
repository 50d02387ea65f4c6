from __future__ import annotations

import math

import pytest

from local_aws.emulator.throttle import RequestThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_two_per_second_allows_a_burst_of_two_then_one_every_half_second() -> None:
    clock = Clock()
    throttle = RequestThrottle(2.0, clock=clock)
    assert [throttle.admit("a") for _ in range(3)] == [True, True, False]
    clock.now += 0.25
    assert not throttle.admit("a")
    clock.now += 0.25
    assert throttle.admit("a")
    assert not throttle.admit("a")


def test_keys_have_separate_buckets_and_idle_time_does_not_bank_more_than_one_second() -> None:
    clock = Clock()
    throttle = RequestThrottle(2.0, clock=clock)
    assert throttle.admit(("111122223333", "us-east-1"))
    assert throttle.admit(("111122223333", "us-east-1"))
    assert throttle.admit(("111122223333", "eu-west-1"))
    clock.now += 60
    assert [throttle.admit("k") for _ in range(3)] == [True, True, False]


def test_fractional_rates_and_no_limit() -> None:
    clock = Clock()
    slow = RequestThrottle(0.5, clock=clock)
    assert slow.admit("k") and not slow.admit("k")
    clock.now += 2
    assert slow.admit("k")
    assert all(RequestThrottle(math.inf).admit("k") for _ in range(1000))


@pytest.mark.parametrize("bad", [0, -1, math.nan])
def test_a_rate_must_be_positive(bad: float) -> None:
    with pytest.raises(ValueError, match="per_second"):
        RequestThrottle(bad)
