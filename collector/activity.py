"""What CloudTrail saw in one account and region during a run: the finding its fetcher publishes for the
item's later fetchers (``FetchContext.find``), so that EC2 can skip its listings when nothing changed
(collector/services/ec2/refresh.py) without importing the CloudTrail package. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

ACTIVITY = "activity"  # the finding's key


@dataclass(frozen=True)
class Activity:
    """Every write event (per event source) with a time from ``start`` to ``through`` was read by this run:
    ``start`` is where the read began, ``through`` its end less CloudTrail's delivery lag (an event reaches
    CloudTrail up to that late). ``last_write``: per event source, the time of the latest write event read
    (also after ``through``). A write is any event not marked read-only (unmarked ones too), failed calls
    included: conservative."""

    start: datetime
    through: datetime
    last_write: Mapping[str, datetime] = field(default_factory=dict)

    def latest(self, sources: Iterable[str]) -> datetime | None:
        """The latest write of any of ``sources``; None when none was read."""
        found = [self.last_write[s] for s in sources if s in self.last_write]
        return max(found) if found else None


def published(earlier: Mapping[str, object]) -> Activity | None:
    """The Activity an earlier, complete scope of the item published; None when there is none."""
    found = earlier.get(ACTIVITY)
    return found if isinstance(found, Activity) else None


class Writes:
    """The latest write time per event source, gathered while events are read."""

    def __init__(self) -> None:
        self.latest: dict[str, datetime] = {}

    def see(self, source: str, at: datetime, read_only: bool | None) -> None:
        if read_only is True:
            return
        if source not in self.latest or at > self.latest[source]:
            self.latest[source] = at

    def add(self, other: Mapping[str, datetime]) -> None:
        for source, at in other.items():
            self.see(source, at, None)

    def to_json(self) -> dict[str, str]:
        return {source: at.isoformat() for source, at in sorted(self.latest.items())}

    @staticmethod
    def from_json(data: object) -> dict[str, datetime]:
        """What ``to_json`` wrote; anything else (a hand-edited or older state) raises ValueError."""
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError(f"not a map of event sources to times: {data!r}")
        return {str(source): datetime.fromisoformat(at) for source, at in data.items()}
