"""Headless Chromium (Debian's ``chromium`` package) driven by its own flags: ``--dump-dom`` prints the DOM
after the page's scripts ran, ``--screenshot`` writes a PNG. No browser download, no network: the flags
switch off every background connection, and the page's CSP allows none."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser")
SKIP_REASON = "no headless browser: install Debian's chromium package (apt-get install -y chromium)"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


requires_chromium = pytest.mark.skipif(chromium() is None, reason=SKIP_REASON)


def _run(page: Path, profile: Path, *extra: str) -> tuple[str, float]:
    binary = chromium()
    if binary is None:
        pytest.skip(SKIP_REASON)
    began = time.monotonic()
    done = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout, time.monotonic() - began


def dump_dom(page: Path, profile: Path) -> str:
    """The page's DOM once its scripts ran (serialized HTML)."""
    return _run(page, profile, "--dump-dom")[0]


def screenshot(page: Path, profile: Path, png: Path, size: str = "1400,3200") -> Path:
    _run(page, profile, f"--window-size={size}", f"--screenshot={png}")
    return png


def load_seconds(page: Path, profile: Path) -> float:
    """Wall time from starting the browser to the DOM dumped after the page's scripts ran."""
    return _run(page, profile, "--dump-dom")[1]


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], ancestors: tuple[Element, ...]) -> None:
        self.tag, self.attrs, self.ancestors = tag, attrs, ancestors
        self.text = ""  # the text directly and indirectly inside

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def inside(self, **attrs: str) -> bool:
        return any(
            all(a.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()) for a in self.ancestors
        )


VOID = frozenset(
    {"meta", "link", "input", "br", "img", "hr", "col", "source", "wbr", "area", "base", "embed"}
)


def parse(document: str) -> list[Element]:
    """Every element of a serialized DOM, with its attributes, ancestors and text."""
    from html.parser import HTMLParser  # noqa: PLC0415

    found: list[Element] = []
    stack: list[Element] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            element = Element(tag, {k: v or "" for k, v in attrs}, tuple(stack))
            found.append(element)
            if tag not in VOID:
                stack.append(element)

        def handle_endtag(self, tag: str) -> None:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].tag == tag:
                    del stack[depth:]
                    break

        def handle_data(self, data: str) -> None:
            for element in stack:
                element.text += data

    Parser(convert_charrefs=True).feed(document)
    return found
