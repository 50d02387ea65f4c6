"""Messages between the collector and its worker processes: pickled objects over a socket, each preceded by
its length.

A socket (not multiprocessing's Connection, which writes with ``os.write``) because a worker's socket is
gevent's: a message waiting for the parent to read it then blocks only the greenlet that sends it, not every
request of the process. Both ends are this machine's own processes of one run: the pickles are trusted.
"""

from __future__ import annotations

import pickle
import socket
import struct
from typing import Any

_LENGTH = struct.Struct("!Q")


class ChannelClosedError(EOFError):
    """The other end closed the channel (its process ended, however it ended)."""


class Channel:
    """One end of a socket pair carrying whole objects."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    @classmethod
    def pair(cls) -> tuple[Channel, socket.socket]:
        """This process's end, and the socket whose descriptor a child process inherits."""
        ours, theirs = socket.socketpair()
        return cls(ours), theirs

    @classmethod
    def inherited(cls, fd: int) -> Channel:
        """The end a parent process handed down as descriptor ``fd``."""
        return cls(socket.socket(fileno=fd))

    def fileno(self) -> int:
        """(For ``multiprocessing.connection.wait`` and selectors.)"""
        return self._sock.fileno()

    def send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._sock.sendall(_LENGTH.pack(len(data)) + data)

    def recv(self) -> Any:
        (length,) = _LENGTH.unpack(self._read(_LENGTH.size))
        return pickle.loads(self._read(length))  # noqa: S301 - from this run's own process

    def _read(self, size: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            chunk = self._sock.recv(min(size - len(chunks), 1 << 20))
            if not chunk:
                raise ChannelClosedError("the other end closed the channel")
            chunks += chunk
        return bytes(chunks)

    def close(self) -> None:
        self._sock.close()
