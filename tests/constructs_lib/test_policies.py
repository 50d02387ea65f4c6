"""The policy documents as pure data: one Allow per service, the Deny, packing under IAM's size limit."""

from __future__ import annotations

import json

import pytest

from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature, actions_for, data_plane_deny_actions
from constructs_lib import policies
from constructs_lib.policies import Statement


def _all_actions(documents: tuple[tuple[Statement, ...], ...]) -> list[str]:
    return [a for doc in documents for s in doc for a in s.actions]


def test_one_allow_statement_per_service_with_alphanumeric_sids() -> None:
    statements = policies.allow_statements(Feature)
    services = [s.actions[0].split(":")[0] for s in statements]
    assert services == sorted(set(services))
    assert {s.sid for s in statements} >= {"ReadIam", "ReadSso", "ReadIdentitystore", "ReadOrganizations"}
    assert all(s.sid.isalnum() and s.effect == "Allow" for s in statements)
    for s in statements:
        assert {a.split(":")[0] for a in s.actions} == {s.actions[0].split(":")[0]}


@pytest.mark.parametrize(
    "features", [DEFAULT_FEATURES, frozenset(Feature), frozenset({Feature.CLOUDTRAIL})], ids=str
)
def test_documents_hold_every_action_of_the_features_once(features: frozenset[Feature]) -> None:
    documents = policies.read_only_documents(features)
    assert sorted(_all_actions(documents)) == sorted(actions_for(features))


def test_deny_statement_is_the_data_plane_list() -> None:
    deny = policies.deny_statement()
    assert deny.effect == "Deny" and deny.sid == "DenyDataPlaneReads"
    assert deny.actions == data_plane_deny_actions()


def test_document_size_counts_the_minified_json() -> None:
    statements = policies.allow_statements(DEFAULT_FEATURES)
    expected = len(json.dumps(policies.document(statements)).replace(", ", ",").replace(": ", ":"))
    assert policies.document_size(statements) == expected


def test_todays_catalog_fits_one_policy() -> None:
    assert len(policies.read_only_documents(Feature)) == 1


@pytest.mark.parametrize("limit", [300, 500, 900, 1500])
def test_packing_splits_under_a_smaller_limit_and_keeps_order(limit: int) -> None:
    documents = policies.pack(policies.allow_statements(Feature), limit)
    assert len(documents) > 1
    assert all(policies.document_size(doc) <= limit for doc in documents)
    assert _all_actions(documents) == [a for s in policies.allow_statements(Feature) for a in s.actions]
    sids = [s.sid for doc in documents for s in doc]
    assert len(sids) == len(set(sids))


def test_a_statement_too_large_for_one_document_is_cut_into_numbered_parts() -> None:
    big = Statement("ReadEc2", "Allow", tuple(f"ec2:Describe{i:04d}Things" for i in range(400)))
    documents = policies.pack([big], policies.POLICY_SIZE_LIMIT)
    assert len(documents) >= 2
    assert [s.sid for doc in documents for s in doc][:2] == ["ReadEc2Part1", "ReadEc2Part2"]
    assert _all_actions(documents) == list(big.actions)


def test_an_action_that_cannot_fit_anywhere_fails() -> None:
    with pytest.raises(ValueError, match="alone exceeds"):
        policies.pack([Statement("Read", "Allow", ("iam:" + "X" * 200,))], limit=100)


def test_more_documents_than_a_role_can_hold_fails_naming_the_features() -> None:
    with pytest.raises(InvalidSettingError, match="features") as error:
        policies.read_only_documents(Feature, limit=300)
    assert "9 policies of 300 characters" in str(error.value)
