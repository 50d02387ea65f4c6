"""collector.channel: whole objects over a socket pair, in order, of any size; the other end's close is
ChannelClosedError (what tells the collector a worker process ended)."""

from __future__ import annotations

import threading

import pytest

from collector.channel import Channel, ChannelClosedError
from collector.models import ScopeKey


def test_objects_arrive_whole_and_in_order_whatever_their_size() -> None:
    ours, theirs = Channel.pair()
    other = Channel(theirs)
    big = "x" * (3 << 20)  # more than a socket buffer: sent while the other end reads
    messages = [("scope", ScopeKey("111122223333", "us-east-1", "ec2"), 7), big, {"a": [1, 2]}, None]

    def send_all() -> None:
        for message in messages:
            other.send(message)

    sender = threading.Thread(target=send_all)
    sender.start()
    received = [ours.recv() for _ in messages]
    sender.join()
    assert received == messages
    ours.close()
    other.close()


def test_the_other_end_closing_is_channel_closed_even_in_the_middle_of_a_message() -> None:
    ours, theirs = Channel.pair()
    theirs.sendall(b"\x00\x00\x00\x00\x00\x00\x01\x00partial")  # a length of 256, then 7 bytes, then gone
    theirs.close()
    with pytest.raises(ChannelClosedError):
        ours.recv()
    ours.close()


def test_a_child_inherits_its_end_by_descriptor() -> None:
    ours, theirs = Channel.pair()
    inherited = Channel.inherited(theirs.detach())  # (as collector.worker_process gets it)
    ours.send(("path", None))
    assert inherited.recv() == ("path", None)
    inherited.send("done")
    assert ours.recv() == "done"
    assert inherited.fileno() >= 0
    inherited.close()
    with pytest.raises(ChannelClosedError):
        ours.recv()
    ours.close()
