"""Whether a region's EC2 listings must be read in this run, or still hold (``--skip-unchanged-ec2``). Pure.

The EC2 scope's state says up to when its stored inventory is known current (``current_through``) and when
it was last read fully (``full_read_at``). CloudTrail, read earlier in the same work item, says which write
events it read and over which window (collector.activity). The listings are skipped only when that window
joins the inventory's (no gap) and holds no EC2 write from ``current_through`` on; every other case, and a
full read older than the refresh age, reads them fully.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collector.activity import Activity

FULL_READ_AT = "full_read_at"  # state: when the last complete full read started
CURRENT_THROUGH = "current_through"  # state: the inventory reflects every change up to this time
DEFAULT_FULL_REFRESH_DAYS = 7
MAX_FULL_REFRESH_DAYS = 90  # CloudTrail's event history keeps 90 days
# Event sources whose writes change what the listings return: EC2's own, and RAM's (sharing a subnet, a
# transit gateway or a prefix list with this account).
SOURCES = ("ec2.amazonaws.com", "ram.amazonaws.com")
# A full read vouches for changes a little before it only: EC2's Describe calls are eventually consistent,
# and this machine's clock may differ a little from AWS's. A write this close before the read reads again.
SETTLE = timedelta(minutes=5)


@dataclass(frozen=True)
class Decision:
    read: bool  # read the listings fully
    reason: str  # why (empty when the skip is not enabled)
    state: dict[str, str]  # the scope's state for the next run, kept if the scope completes


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None  # not this module's: read fully, which writes it again
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds")


def decide(
    prior_state: Mapping[str, str],
    activity: Activity | None,
    now: datetime,
    max_age: timedelta,
    *,
    enabled: bool,
) -> Decision:
    """Read fully or skip, at ``now`` (the scope's start). A full read sets both marks from ``now``: changes
    made while it reads are after ``current_through``, so the next run catches them."""
    full = {FULL_READ_AT: _text(now), CURRENT_THROUGH: _text(now - SETTLE)}
    if not enabled:
        return Decision(True, "", full)
    full_read_at = _time(prior_state.get(FULL_READ_AT))
    current = _time(prior_state.get(CURRENT_THROUGH))
    if full_read_at is None or current is None:
        return Decision(True, "no earlier full read", full)
    why = _why_read(full_read_at, current, activity, now, max_age)
    if why is not None or activity is None:
        return Decision(True, why or "", full)
    through = max(current, activity.through)
    return Decision(
        False,
        f"unchanged: no EC2 write event in CloudTrail from {_text(current)} to {_text(through)}; last full "
        f"read {_text(full_read_at)}, full refresh after {max_age.days} days",
        {FULL_READ_AT: _text(full_read_at), CURRENT_THROUGH: _text(through)},
    )


def _why_read(
    full_read_at: datetime, current: datetime, activity: Activity | None, now: datetime, max_age: timedelta
) -> str | None:
    """Why the listings must be read fully; None: they still hold."""
    if now - full_read_at >= max_age:
        return f"last full read {_text(full_read_at)}, full refresh every {max_age.days} days"
    if activity is None:
        return "CloudTrail was not read completely in this run"
    if activity.start > current:
        return (
            f"CloudTrail read from {_text(activity.start)}, after {_text(current)} (the inventory's last "
            "known current time)"
        )
    latest = activity.latest(SOURCES)
    if latest is not None and latest >= current:
        return f"a write event in CloudTrail at {_text(latest)}"
    return None
