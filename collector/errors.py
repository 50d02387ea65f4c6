"""Error classification, in one place: what a fault means for the completeness of a scope.

AccessDenied becomes ``denied`` and names the missing IAM action (the failed operation mapped to its action
through the permission catalog); anything else becomes ``failed`` with the error. Nothing here ever turns an
error into an empty result.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from botocore.exceptions import ClientError

from collector.models import Problem, ScopeStatus
from collector.permission_types import Permission
from collector.permissions import all_permissions
from collector.services.cloudtrail.catalog import LOG_FILE_PERMISSIONS

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
    }
)
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "Rate exceeded",
    }
)

# Calls made outside any fetcher, mapped to the action they need.
_OUTSIDE_CATALOG = {"AssumeRole": "sts:AssumeRole"}


_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.IGNORECASE | re.DOTALL)
DETAIL_LIMIT = 300


def one_line(text: str, limit: int = DETAIL_LIMIT) -> str:
    """An error text as one readable line: markup removed (an HTML error page from a wrong endpoint), runs
    of whitespace as one space, a repeated sentence once, at most ``limit`` characters."""
    plain = html.unescape(_TAG.sub(" ", text)) if "<" in text else text
    words = " ".join(plain.split())
    sentences: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", words):
        if sentence not in sentences:
            sentences.append(sentence)
    line = " ".join(sentences)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or None
    return None


def action_for(operation: str, preferred: Iterable[Permission] = ()) -> str | None:
    """The IAM action a failed API operation needs: the fetcher's own declaration first, then the catalog."""
    for candidates in (tuple(preferred), all_permissions(), LOG_FILE_PERMISSIONS):
        for perm in candidates:
            if perm.operation == operation:
                return perm.action
    return _OUTSIDE_CATALOG.get(operation)


def classify(exc: BaseException, *, part: str = "", permissions: Iterable[Permission] = ()) -> Problem:
    """The Problem an exception from an AWS call (or from our own code) stands for."""
    code = error_code(exc)
    if isinstance(exc, ClientError):
        operation = exc.operation_name
        message = one_line(str(exc.response.get("Error", {}).get("Message", "")) or str(exc))
        if code in DENIED_CODES:
            action = action_for(operation, permissions) or f"(unknown action for {operation})"
            return Problem(ScopeStatus.DENIED, part, f"{operation}: {message}", action, code)
        if code in EXPIRED_CODES:
            text = f"{operation}: credentials expired or invalid ({code}): {message}"
            return Problem(ScopeStatus.FAILED, part, text, None, code)
        if code in THROTTLE_CODES:
            text = f"{operation}: still throttled after every retry ({code}): {message}"
            return Problem(ScopeStatus.FAILED, part, text, None, code)
        return Problem(ScopeStatus.FAILED, part, f"{operation}: {code}: {message}", None, code)
    name = type(exc).__name__
    return Problem(ScopeStatus.FAILED, part, f"{name}: {one_line(str(exc))}", None, name)


def status_of(problems: Iterable[Problem]) -> ScopeStatus:
    """A scope's status from its problems: none is complete; a fault of the scope's main call (part "") is
    that fault's status; faults only in sub-parts make it partial. Notes (status complete) are not faults."""
    found = [p for p in problems if p.status is not ScopeStatus.COMPLETE]
    if not found:
        return ScopeStatus.COMPLETE
    whole = [p for p in found if not p.part]
    return whole[0].status if whole else ScopeStatus.PARTIAL
