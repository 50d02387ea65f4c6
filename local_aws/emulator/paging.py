"""Offset paging as the emulations answer their listings: one page of a listing in a stable order, and the
next page's token (the offset of its first item). Each emulation turns ``InvalidPageError`` into its service's
``ValidationException``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class InvalidPageError(ValueError):
    """A page size or token the service would refuse; the message is the service's."""


def offset_page(
    items: Sequence[T],
    body: dict[str, Any],
    *,
    maximum: int,
    names: tuple[str, str] = ("MaxResults", "NextToken"),
) -> tuple[list[T], str | None]:
    """The page ``body`` asks for (its page-size and token members are named by ``names``)."""
    size_name, token_name = names
    limit = body.get(size_name, maximum)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= maximum:
        raise InvalidPageError(f"{size_name} must be 1 to {maximum}.")
    token = body.get(token_name)
    try:
        start = int(token) if token is not None else 0
    except (TypeError, ValueError) as error:
        raise InvalidPageError(f"{token_name} is not valid.") from error
    if not 0 <= start <= len(items):
        raise InvalidPageError(f"{token_name} is not valid.")
    end = start + limit
    return list(items[start:end]), (str(end) if end < len(items) else None)
