"""Small pure helpers shared by every service's parse.py (timestamps, policy documents, tags).

A parse function takes API responses and returns records, with no boto3 and no I/O, so it is tested on canned
data. Required fields are read as ``item["Arn"]`` (a missing one fails loudly); optional ones with ``.get``.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any


def iso(value: Any) -> str:
    """A timestamp as ISO 8601 text in UTC (botocore gives datetimes; canned data may give text)."""
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return stamp.astimezone(UTC).isoformat()
    return str(value)


def iso_or_none(value: Any) -> str | None:
    return None if value is None else iso(value)


def document(value: Any) -> Any:
    """A policy document as JSON data (botocore decodes IAM's URL-encoded documents; raw text may not be)."""
    if isinstance(value, str):
        return json.loads(urllib.parse.unquote(value))
    return value


def tags(items: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or ()}
