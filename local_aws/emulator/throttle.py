"""A token bucket per key that refuses requests over an API's documented rate (the emulator answers them with
ThrottlingException), unlike the collector's ``collector.aws.CallPacer``, which makes its caller wait."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable


class RequestThrottle:
    """Admits at most ``per_second`` requests a second per key, with a burst of at most one second's worth;
    the rest are refused, not delayed.

    ``per_second`` may be ``math.inf`` (no limit). The clock is injectable for tests.
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        if not per_second > 0:
            raise ValueError(f"per_second must be > 0; got {per_second!r}")
        self.per_second = per_second
        self._capacity = max(1.0, per_second)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key -> (tokens, at)

    def admit(self, key: Hashable) -> bool:
        """Take one request's token for ``key``; False: refuse the request (the caller is throttled)."""
        if math.isinf(self.per_second):
            return True
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(key, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - at) * self.per_second)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            return True

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
