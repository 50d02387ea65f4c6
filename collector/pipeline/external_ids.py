"""Each customer's ExternalId, from its SSM SecureString parameter (``layout.external_id_parameter``).

The state machine's input and the work items name the customer only; the value is read here, inside the
Lambda, and kept in memory for a few minutes so that the thousands of items of a run do not each call SSM
(a rotated ExternalId is picked up within that time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from collector import formats
from collector.customers.record import customer_name
from collector.formats import InvalidSettingError
from collector.pipeline import layout

CACHE_SECONDS = 300.0


class MissingExternalIdError(Exception):
    """The customer has no ExternalId parameter (or the Lambda may not read it): nothing can be collected."""


class ParameterExternalIds:
    """``customer -> ExternalId`` read from SSM Parameter Store (decrypted), cached per Lambda container."""

    def __init__(
        self,
        ssm: Any,
        prefix: str = layout.DEFAULT_PARAMETER_PREFIX,
        *,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ssm = ssm
        self.prefix = formats.ssm_path(prefix, "EXTERNAL_ID_PARAMETER_PREFIX")
        self.cache_seconds = cache_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, float]] = {}

    def __call__(self, customer: str) -> str:
        name = layout.external_id_parameter(self.prefix, customer_name(customer, "customer"))
        with self._lock:
            found = self._cache.get(name)
        if found is not None and self.clock() - found[1] < self.cache_seconds:
            return found[0]
        try:
            value = self.ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            raise MissingExternalIdError(
                f"customer {customer!r}: cannot read the ExternalId parameter {name} ({code}): create it "
                f"as a SecureString (aws ssm put-parameter --type SecureString --name {name} --value ...)"
            ) from exc
        try:
            formats.external_id(value, name)
        except InvalidSettingError as error:  # never the value: errors reach the execution's history
            raise InvalidSettingError(name, "(hidden)", error.expected) from None
        with self._lock:
            self._cache[name] = (value, self.clock())
        return str(value)
