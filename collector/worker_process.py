"""A worker process of a sharded collect: ``python -m collector.worker_process FD`` (started by
collector.shards, never by hand).

A worker does nothing but wait on AWS: its work items are a few hundred requests in flight. As OS threads
they take turns at the interpreter's lock, and each reply waits its turn: measured at 64 threads a process,
a tenth of the calls took 300 ms or more on top of AWS's round trip, and a process topped out near 220
calls a second. As gevent's greenlets on one thread (its sockets, sleeps, locks and thread pools made
cooperative) the same process serves about twice that for the same CPU a call (docs/benchmarks.md). So
gevent patches the standard library here, first of all, before botocore or anything that opens a socket
is imported; the parent process (discovery, the store, signals) keeps ordinary threads.

The parent talks to it over a socket pair whose end is ``FD``: first the parent's import path and main
module (imported again here, as multiprocessing's spawn does, so that what it sets up at import, such as a
benchmark's endpoint guard, is on here too), then the shard; the worker answers with its outcomes
(collector.shards.work).
"""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops the workers

from gevent import monkey  # noqa: E402 - the patch must come before every other import

monkey.patch_all()

import importlib  # noqa: E402
import sys  # noqa: E402

from collector import shards  # noqa: E402
from collector.channel import Channel  # noqa: E402


def _more_files() -> None:
    """Each request in flight holds a connection, kept for the next one: the soft limit on open files (often
    1,024) is raised to the hard one, as servers do (where there is one: not on Windows)."""
    try:
        import resource  # noqa: PLC0415
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # (An unlimited hard limit is left alone: some systems refuse an unlimited soft one for open files.)
    if resource.RLIM_INFINITY not in (hard, soft) and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str]) -> int:
    _more_files()
    conn = Channel.inherited(int(argv[0]))
    path, main_module = conn.recv()
    sys.path[:] = path
    if main_module:
        importlib.import_module(main_module)
    shards.work(conn.recv(), conn)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
