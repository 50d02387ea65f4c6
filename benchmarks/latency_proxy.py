"""An HTTP proxy on 127.0.0.1 that adds a fixed latency to every request: AWS's round trip, in front of the
local AWS. ``python -m benchmarks.latency_proxy --upstream PORT --latency 0.2 [--replay]`` prints
``LISTENING <port>`` once it serves, and ``STATS <json>`` when it stops (SIGTERM).

Each request waits ``latency`` seconds, then goes to the local AWS on its connection; the reply is read
whole and written back at once. Both sockets set TCP_NODELAY: without it, Nagle's algorithm and delayed
ACKs add about 45 ms to every request (measured), more than the model can afford.

``--replay``: a successful reply is kept, and the same request again (same service, region, method, path
and body, whichever account signs it) gets the kept reply without reaching the local AWS. The local AWS is a
single Python process: on a small machine it, not the collector, bounds the rate a benchmark sees. Replayed,
the collector does all its work (signing, HTTP, parsing, storing) on replies of the same size and shape,
while the local AWS answers only what was never asked before (each role's AssumeRole, each CloudTrail
time window). A request the local AWS is already answering waits for that reply instead of asking again (many
threads start the same region's listings at once). Built on asyncio (stdlib).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import socket
from dataclasses import dataclass, field

from local_aws.emulator import endpoint_guard

LOOPBACK = "127.0.0.1"
SCOPE = re.compile(rb"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/")  # region, service of a SigV4 request


@dataclass
class Stats:
    requests: int = 0
    replayed: int = 0
    upstream: int = 0
    coalesced: int = 0
    kept: dict[tuple[bytes, ...], bytes] = field(default_factory=dict)
    # Requests on their way to the local AWS, by replay key: the same request meanwhile waits for that reply.
    pending: dict[tuple[bytes, ...], asyncio.Future[bytes | None]] = field(default_factory=dict)


class ClosedError(Exception):
    """The other side closed the connection."""


async def read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """One HTTP/1.1 message (a request or a reply): its head and its whole body."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError) as exc:
        raise ClosedError from exc
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)
    }
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            body += size_line + chunk
            if size == 0:
                return head, body
    length = int(headers.get(b"content-length", b"0"))
    return head, await reader.readexactly(length) if length else b""


def replay_key(head: bytes, body: bytes) -> tuple[bytes, ...] | None:
    """What makes two requests the same for replay: service, region, method, target, path and body."""
    scope = SCOPE.search(head)
    if scope is None:
        return None
    request_line = head.split(b"\r\n", 1)[0]
    target = re.search(rb"(?im)^x-amz-target:\s*(\S+)", head)
    return (scope[2], scope[1], request_line, target[1] if target else b"", body)


def _no_delay(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def serve(upstream_port: int, latency: float, replay: bool, stats: Stats) -> asyncio.Server:
    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        _no_delay(client_writer)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                head, body = await read_message(client_reader)
                stats.requests += 1
                await asyncio.sleep(latency)
                key = replay_key(head, body) if replay else None
                reply = stats.kept.get(key) if key is not None else None
                if reply is None and key is not None and key in stats.pending:
                    reply = await asyncio.shield(stats.pending[key])  # None: that one failed
                    stats.coalesced += reply is not None
                if reply is not None:
                    stats.replayed += 1
                else:
                    waiting = None
                    if key is not None and key not in stats.pending:
                        waiting = stats.pending[key] = asyncio.get_running_loop().create_future()
                    try:
                        if upstream is None:
                            upstream = await asyncio.open_connection(LOOPBACK, upstream_port)
                            _no_delay(upstream[1])
                        upstream[1].write(head + body)
                        await upstream[1].drain()
                        reply_head, reply_body = await read_message(upstream[0])
                        reply = reply_head + reply_body
                        stats.upstream += 1
                        if key is not None and reply_head.startswith(b"HTTP/1.1 200"):
                            stats.kept[key] = reply
                    finally:
                        if waiting is not None:
                            del stats.pending[key]  # type: ignore[arg-type]
                            waiting.set_result(stats.kept.get(key))  # type: ignore[arg-type]
                client_writer.write(reply)
                await client_writer.drain()
        except (ClosedError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            client_writer.close()
            if upstream is not None:
                upstream[1].close()

    return await asyncio.start_server(handle, LOOPBACK, 0, backlog=1024)


async def run(upstream_port: int, latency: float, replay: bool) -> Stats:
    stats = Stats()
    server = await serve(upstream_port, latency, replay, stats)
    print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    return stats


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--upstream", type=int, required=True, help="the local AWS's port on 127.0.0.1")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added to every request")
    parser.add_argument("--replay", action="store_true", help="answer a request seen before from memory")
    args = parser.parse_args(argv)
    assert endpoint_guard.installed()  # (every benchmark process has it; this one sends through no botocore)
    stats = asyncio.run(run(args.upstream, args.latency, args.replay))
    counts = {
        "requests": stats.requests,
        "replayed": stats.replayed,
        "coalesced": stats.coalesced,
        "upstream": stats.upstream,
    }
    print(f"STATS {json.dumps(counts)}", flush=True)


if __name__ == "__main__":
    main()
