"""The per-account ExternalId rule that the collector and the member template share."""

from __future__ import annotations

import pytest

from collector import external_id
from collector.external_id import ExternalIdMode
from collector.formats import InvalidSettingError


def test_shared_is_the_customer_value_and_per_account_appends_the_account_id() -> None:
    assert external_id.for_account("Abc123", "111122223333", ExternalIdMode.SHARED) == "Abc123"
    derived = external_id.for_account("Abc123", "111122223333", ExternalIdMode.PER_ACCOUNT)
    assert derived == "Abc123-111122223333"


def test_the_longest_base_still_yields_a_valid_sts_external_id() -> None:
    base = "x" * external_id.PER_ACCOUNT_BASE_MAX_LENGTH
    external_id.check_base(base, ExternalIdMode.PER_ACCOUNT)
    derived = external_id.for_account(base, "111122223333", ExternalIdMode.PER_ACCOUNT)
    assert len(derived) == 1224
    with pytest.raises(InvalidSettingError, match=r"externalId: got 'xx.*at most 1211 characters"):
        external_id.check_base(base + "x", ExternalIdMode.PER_ACCOUNT)
    external_id.check_base(base + "x", ExternalIdMode.SHARED)  # the shared mode keeps the STS limit


def test_modes_parse_from_their_names_only() -> None:
    assert external_id.mode("per-account") is ExternalIdMode.PER_ACCOUNT
    with pytest.raises(InvalidSettingError, match="externalIdMode: got 'PER_ACCOUNT'; expected shared or"):
        external_id.mode("PER_ACCOUNT")
