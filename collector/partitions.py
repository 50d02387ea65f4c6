"""The regions of each AWS partition, from botocore's endpoint data (shipped with botocore: no call)."""

from __future__ import annotations

import functools

from botocore.loaders import create_loader


@functools.cache
def regions_of(partition: str) -> frozenset[str]:
    """Every region botocore knows in ``partition`` (empty for a partition it does not know)."""
    endpoints = create_loader().load_data("endpoints")
    for each in endpoints["partitions"]:
        if each["partition"] == partition:
            return frozenset(each["regions"])
    return frozenset()
