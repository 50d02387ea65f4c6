"""Files that only their owner may read: the inventory, the customer registry (every customer's ExternalId)
and exports.

New files are created 0600 and new directories 0700, whatever the umask; SQLite gives its -wal and -shm files
the mode of the database file, so creating the database 0600 before SQLite opens it covers them too. An
existing file or directory that group or others may read is left as its owner set it, with a warning.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import TextIO

PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
_SHARED = stat.S_IRWXG | stat.S_IRWXO

log = logging.getLogger(__name__)


def create_file(path: str | Path) -> bool:
    """Create ``path`` empty with mode 0600 unless it exists; True when it was created."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def open_for_writing(path: str | Path) -> TextIO:
    """``path`` truncated (or created) for writing text, mode 0600 (an existing file is made 0600 too: its
    old mode would show the new content to whoever could read the old one)."""
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return os.fdopen(fd, "w", encoding="utf-8")


def make_dir(path: str | Path) -> None:
    """``path`` as a directory, created 0700 when it is new (its parents too); warn when it is shared."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(str(target))
    if not target.exists():
        target.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        os.chmod(target, PRIVATE_DIR)  # mkdir's mode is reduced by the umask only, never widened: be exact
    warn_if_shared(target)


def warn_if_shared(*paths: str | Path) -> list[str]:
    """Log a warning for each existing path that group or others may access; returns the warnings."""
    warnings = []
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            continue
        if mode & _SHARED:
            kind = "directory" if stat.S_ISDIR(mode) else "file"
            fix = PRIVATE_DIR if stat.S_ISDIR(mode) else PRIVATE_FILE
            warnings.append(
                f"{path}: this {kind} is open to group or others (mode {stat.S_IMODE(mode):04o}); it holds "
                f"private inventory data: chmod {fix:o} {path}"
            )
    for warning in warnings:
        log.warning("%s", warning)
    return warnings


def database_files(path: str | Path) -> tuple[str, str, str]:
    """The database file and SQLite's WAL and shared-memory files beside it."""
    return (str(path), f"{path}-wal", f"{path}-shm")
