"""Which context keys an integration reads, and the refusal of every other key.

A misspelled key must never be ignored: ``-c excludeAccountId=...`` (for ``excludeAccountIds``) would deploy
the role into the account the customer meant to exclude. Each settings builder reads the context only through
``reading(keys, context)``, so the set it is given is exactly the set it may read (a key read outside it is a
programming error that every synth test trips over), and ``refuse_unknown`` refuses any other key, naming it
and the nearest valid one. Pure: no CDK import.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping

from collector.formats import InvalidSettingError

Context = Callable[[str], object]  # App.node.try_get_context: the value, or None when absent

# CDK's own keys: feature flags (@aws-cdk/..., @aws-cdk-containers/...), the CLI's (aws:cdk:...), cdk-...
# settings, and the context providers' cached lookups (availability-zones:account=...:region=...).
_CDK_OWN = re.compile(r"^(@aws-cdk|aws:|cdk-)|^[a-z][a-z-]*:account=|^acknowledged-issue-numbers$")


class UnknownContextKeyError(InvalidSettingError):
    """A context key that the chosen integration does not read (most often a typo)."""

    def __init__(self, key: str, value: object, expected: str) -> None:
        super().__init__(key, value, expected)
        self.args = (f"{key}: unknown context key; {expected}",)

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownKeyReadError(LookupError):
    """A settings builder read a key missing from its integration's set (a bug, not a user error)."""


def reading(keys: frozenset[str], context: Context) -> Context:
    """``context``, limited to ``keys``: reading any other key raises UnknownKeyReadError."""

    def read(key: str) -> object:
        if key not in keys:
            raise UnknownKeyReadError(f"{key!r} is read but not among the integration's context keys")
        return context(key)

    return read


def is_cdk_own(key: str) -> bool:
    return bool(_CDK_OWN.match(key))


def refuse_unknown(
    given: Mapping[str, object],
    integration: str,
    known: Mapping[str, frozenset[str]],
    integration_key: str,
    refused_later: frozenset[str] = frozenset(),
) -> None:
    """Raise UnknownContextKeyError for the first given key that ``integration`` does not read.

    ``known`` maps each integration to its keys; the message names the key and suggests the nearest key of
    this integration (case and small typos), or the integration that has the key. ``refused_later``: keys
    of another integration that this one's builder refuses with a reason of its own.
    """
    keys = known[integration]
    for key in sorted(given):
        if key in keys or key in refused_later or is_cdk_own(key):
            continue
        raise UnknownContextKeyError(key, given[key], _suggestion(key, integration, known, integration_key))


def _suggestion(key: str, integration: str, known: Mapping[str, frozenset[str]], integration_key: str) -> str:
    keys = known[integration]
    by_lower = {k.lower(): k for k in keys}
    close = difflib.get_close_matches(key.lower(), list(by_lower), n=1, cutoff=0.75)
    others = sorted(name for name, other in known.items() if key in other and name != integration)
    if close:
        hint = f"did you mean {by_lower[close[0]]}?"
    elif others:
        hint = (
            f"it is a key of {integration_key}={' or '.join(others)} (pass -c {integration_key}={others[0]})"
        )
    else:
        hint = "no key of this integration is close"
    return (
        f"{integration_key}={integration} does not read it, {hint} "
        f"(the keys of {integration_key}={integration}: {', '.join(sorted(keys))})"
    )
