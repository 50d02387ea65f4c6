"""What the report reads, behind a small protocol so that the model is tested on plain rows.

The store answers ``rows(kind)`` only for kinds this collector declares; a kind it does not know (an older
collector, or a service not built yet) reads as absent here, so a section says "not in this inventory"
instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from collector.kinds import record_types

Row = Mapping[str, Any]


class Inventory(Protocol):
    def has(self, kind: str) -> bool:
        """Whether this collector declares ``kind`` (its rows may still be none)."""
        ...

    def rows(self, kind: str) -> Iterable[Row]:
        """Every stored row of ``kind`` (none when the kind is absent)."""
        ...

    def scopes(self) -> list[Row]: ...

    def runs(self) -> list[Row]:
        """Every run, oldest first; the latest with its ``settings`` (the run's settings, no secret)."""
        ...


class StoreLike(Protocol):
    def rows(self, kind: str) -> Iterator[dict[str, Any]]: ...

    def scopes(self) -> list[dict[str, Any]]: ...

    def runs(self) -> list[dict[str, Any]]: ...

    def run_settings(self, run_id: str) -> dict[str, Any]: ...


class StoreInventory:
    """The SQLite store as an Inventory (opened read-only by the command)."""

    def __init__(self, store: StoreLike) -> None:
        self._store = store
        self._known = frozenset(t.KIND for t in record_types())

    def has(self, kind: str) -> bool:
        return kind in self._known

    def rows(self, kind: str) -> Iterable[Row]:
        if not self.has(kind):
            return iter(())
        return self._store.rows(kind)

    def scopes(self) -> list[Row]:
        return list(self._store.scopes())

    def runs(self) -> list[Row]:
        runs: list[Row] = list(self._store.runs())
        if runs:
            runs[-1] = {**runs[-1], "settings": self._store.run_settings(runs[-1]["run_id"])}
        return runs


@dataclass
class MemoryInventory:
    """Rows held in memory: the model's tests, and anything that has rows without a database."""

    kinds: Mapping[str, Sequence[Row]] = field(default_factory=dict)
    scope_rows: Sequence[Row] = ()
    run_rows: Sequence[Row] = ()
    known: frozenset[str] | None = None  # None: every kind in ``kinds`` is known, the rest absent

    def has(self, kind: str) -> bool:
        return kind in (self.known if self.known is not None else self.kinds)

    def rows(self, kind: str) -> Iterable[Row]:
        return iter(self.kinds.get(kind, ()) if self.has(kind) else ())

    def scopes(self) -> list[Row]:
        return list(self.scope_rows)

    def runs(self) -> list[Row]:
        return list(self.run_rows)
