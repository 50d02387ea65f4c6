"""Evaluate the few CloudFormation intrinsics our templates use, and find where a string occurs in one.

For tests that read a synthesized template as CloudFormation would see it: the policy a resource really
gets, or where a value is referenced. Deliberately small: an unknown intrinsic fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

Path = tuple[str | int, ...]


def evaluate(
    value: Any,
    parameters: Mapping[str, Any],
    *,
    partition: str = "aws",
    ref: Callable[[str], Any] | None = None,
    get_att: Callable[[str, str], Any] | None = None,
    conditions: Mapping[str, bool] | None = None,
) -> Any:
    """``value`` with Ref, Fn::Join, Fn::Split, Fn::Select, Fn::If, Fn::Equals and Fn::GetAtt replaced by
    what they evaluate to.

    ``parameters`` answer Ref to a parameter (a CommaDelimitedList as a list); ``ref`` and ``get_att``
    answer references to resources (default: fail); ``conditions`` the template's conditions for Fn::If.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref":
                if argument == "AWS::Partition":
                    return partition
                if argument in parameters:
                    return parameters[argument]
                if ref is None:
                    raise KeyError(f"Ref to {argument!r}: no parameter or resource answer given")
                return ref(argument)
            if key == "Fn::Join":
                delimiter, parts = argument
                assert isinstance(delimiter, str), f"Fn::Join takes a literal delimiter, got {delimiter!r}"
                return delimiter.join(str(p) for p in walk(parts))
            if key == "Fn::Split":
                delimiter, source = argument
                return str(walk(source)).split(delimiter)
            if key == "Fn::Equals":
                left, right = walk(argument)
                return left == right
            if key == "Fn::Select":
                index, items = argument
                return walk(items)[int(walk(index))]
            if key == "Fn::If":
                name, when_true, when_false = argument
                if conditions is None or name not in conditions:
                    raise KeyError(f"Fn::If {name!r}: no condition answer given")
                return walk(when_true if conditions[name] else when_false)
            if key == "Fn::GetAtt":
                if get_att is None:
                    raise KeyError(f"Fn::GetAtt {argument!r}: no resource answer given")
                return get_att(*argument)
            if key.startswith("Fn::"):
                raise NotImplementedError(key)
        return {k: walk(v) for k, v in node.items()}

    return walk(value)


def occurrences(node: Any, needle: str, path: Path = ()) -> Iterator[Path]:
    """JSON paths of every key or string value containing ``needle`` (case-insensitive)."""
    lowered = needle.lower()
    if isinstance(node, dict):
        for key, value in node.items():
            if lowered in key.lower():
                yield (*path, key)
            yield from occurrences(value, needle, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from occurrences(item, needle, (*path, index))
    elif isinstance(node, str) and lowered in node.lower():
        yield path
