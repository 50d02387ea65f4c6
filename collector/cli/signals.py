"""Ctrl-C and ``kill``: a run stops starting work, keeps what it collected, says it was interrupted, and
exits 130 (SIGINT) or 143 (SIGTERM), as shells do for a process a signal ended."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Interrupted(BaseException):
    """Raised in the main thread by SIGINT or SIGTERM (a BaseException, as KeyboardInterrupt is, so no
    ``except Exception`` on the way swallows it)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        self.exit_code = 128 + signum
        super().__init__(f"interrupted by {self.signal_name}")


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def interruptible() -> Iterator[None]:
    """While inside: SIGINT and SIGTERM raise Interrupted in the main thread (else the handlers stay)."""
    watched = (signal.SIGINT, signal.SIGTERM)
    try:
        previous = {s: signal.signal(s, _raise) for s in watched}
    except ValueError:  # not the main thread (an embedding caller): leave signals as they are
        yield
        return
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)
