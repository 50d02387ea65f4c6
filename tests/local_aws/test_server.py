"""``python -m local_aws.server``, the entry point scripts call, still runs the emulator and says where."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest


@pytest.mark.e2e
def test_the_public_entry_point_prints_its_port_and_serves() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "local_aws.server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("LISTENING "), line
        port = int(line.removeprefix("LISTENING "))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/data.json", timeout=30) as answer:
            assert answer.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
