"""A context key the chosen integration does not read is refused: a typo must never widen access."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from cdk_app import config, context_keys, legacy_config, pipeline_config
from cdk_app.__main__ import KEYS, REFUSED, main
from cdk_app.build import ACCOUNT_STACK_ID, ORGANIZATION_STACK_ID
from tests.synth import REPO

pytestmark = pytest.mark.cdk

ROLE = "arn:aws:iam::111122223333:role/Vendor"
ORGANIZATION = {
    "integration": "organization",
    "trustedPrincipal": ROLE,
    "organizationalUnitIds": "r-ab12",
    "callAs": "SELF",
}

# The five: each would have deployed with less protection than the customer asked for.
TYPOS = [
    (
        {**ORGANIZATION, "excludeAccountId": "444455556666"},
        "excludeAccountId",
        "did you mean excludeAccountIds?",
    ),
    (
        {"trustedPrincipal": ROLE, "permissionBoundaryArn": "arn:aws:iam::111122223333:policy/Boundary"},
        "permissionBoundaryArn",
        "did you mean permissionsBoundaryArn?",
    ),
    (
        {"trustedPrincipal": ROLE, "externalId": "Abc123-example", "externalIDMode": "per-account"},
        "externalIDMode",
        "did you mean externalIdMode?",
    ),
    (
        {"trustedPrincipal": ROLE, "includeIdentitycenter": "true"},
        "includeIdentitycenter",
        "did you mean includeIdentityCenter?",
    ),
    (
        {"trustedPrincipal": ROLE, "organizationalUnitIds": "r-ab12"},
        "organizationalUnitIds",
        "it is a key of integration=organization (pass -c integration=organization)",
    ),
]


@pytest.mark.parametrize(("context", "key", "suggestion"), TYPOS, ids=[t[1] for t in TYPOS])
def test_a_misspelled_or_foreign_key_stops_synth_naming_it_and_the_nearest_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], context: dict[str, object], key: str, suggestion: str
) -> None:
    assert main(context, outdir=str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: invalid CDK context: {key}: unknown context key;")
    assert suggestion in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.template.json"))


def test_an_account_key_with_the_organization_keeps_its_own_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    context = {**ORGANIZATION, "permissionsBoundaryArn": "arn:aws:iam::111122223333:policy/B"}
    assert main(context, outdir=str(tmp_path)) == 2
    assert "a boundary is a policy of one account" in capsys.readouterr().err


def test_cdks_own_keys_pass(tmp_path: Path) -> None:
    flags = json.loads((REPO / "cdk.json").read_text())["context"]
    assert sum(key.startswith("@aws-cdk/") for key in flags) > 50
    cli = {  # what the CDK CLI adds, and a context provider's cached lookup (cdk.context.json)
        "aws:cdk:enable-path-metadata": True,
        "aws:cdk:version-reporting": False,
        "aws:cdk:bundling-stacks": ["**"],
        "availability-zones:account=111122223333:region=us-east-1": ["us-east-1a"],
        "acknowledged-issue-numbers": [32775],
    }
    assert main({**flags, **cli, "trustedPrincipal": ROLE}, outdir=str(tmp_path)) == 0
    assert (tmp_path / f"{ACCOUNT_STACK_ID}.template.json").exists()
    assert main({**flags, **cli, **ORGANIZATION}, outdir=str(tmp_path)) == 0
    assert (tmp_path / f"{ORGANIZATION_STACK_ID}.template.json").exists()


class _Recording:
    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = values
        self.read: set[str] = set()

    def __call__(self, key: str) -> object:
        self.read.add(key)
        return self.values.get(key)


# A full valid context per integration: each set is exactly what its builder reads, so no key is accepted
# and then ignored (which is what a typo was before).
FULL: dict[str, tuple[Callable[[context_keys.Context], object], dict[str, object]]] = {
    "account": (
        config.account_settings,
        {
            "integration": "account",
            "trustedPrincipal": ROLE,
            "externalId": "Abc123-example",
            "externalIdMode": "per-account",
            "roleName": "R",
            "permissionsBoundaryArn": "arn:aws:iam::111122223333:policy/B",
            "includeIdentityCenter": "true",
            "includeOrganizations": "true",
            "includeSecurityAudit": "true",
            "cloudTrailBucket": "trail-logs-bucket",
            "cloudTrailPrefix": "org",
            "cloudTrailKmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/abcd",
        },
    ),
    "organization": (
        config.organization_settings,
        {
            **ORGANIZATION,
            "externalId": "Abc123-example",
            "externalIdMode": "per-account",
            "roleName": "R",
            "includeSecurityAudit": "true",
            "cloudTrailBucket": "trail-logs-bucket",
            "cloudTrailPrefix": "org",
            "cloudTrailKmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/abcd",
            "logArchiveAccountId": "555566667777",
            "excludeAccountIds": "444455556666",
            "stackSetRegion": "eu-west-1",
            "identityCenterRegion": "eu-west-1",
            "identityCenterAccountId": "444455556666",
        },
    ),
    "legacy": (
        legacy_config.legacy_settings,
        {
            "integration": "legacy",
            "userAccountId": "111122223333",
            "secretReaders": ROLE,
            "accountIds": "444455556666",
            "organizationId": "o-abcdefghij",
            "externalId": "Abc123-example",
            "externalIdMode": "per-account",
            "userName": "U",
            "roleName": "R",
            "secretKmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/abcd",
            "keySerial": "2",
            "previousKeySerial": "1",
            "previousKeyActive": "false",
            "permissionsBoundaryArn": "arn:aws:iam::111122223333:policy/B",
            "includeIdentityCenter": "true",
            "includeOrganizations": "true",
            "includeSecurityAudit": "true",
        },
    ),
    "collector-pipeline": (
        pipeline_config.pipeline_settings,
        {
            "integration": "collector-pipeline",
            "customerRoleNames": "R",
            "maxConcurrency": "4",
            "reservedConcurrency": "4",
            "toleratedFailurePercentage": "5",
            "retentionDays": "30",
            "externalIdParameterPrefix": "/p/",
            "databaseName": "db",
        },
    ),
}


@pytest.mark.parametrize("integration", config.INTEGRATIONS)
def test_each_integrations_keys_are_exactly_what_its_builder_reads(integration: str) -> None:
    build, values = FULL[integration]
    recording = _Recording(values)
    build(recording)
    refused = REFUSED.get(integration, frozenset())
    # `integration` itself is read by config.integration, before any builder
    assert recording.read | {config.INTEGRATION} == KEYS[integration] | refused
    assert set(values) <= KEYS[integration]


def test_a_builder_reading_a_key_outside_its_set_is_a_bug_that_shows() -> None:
    read = context_keys.reading(frozenset({"a"}), {"a": 1, "b": 2}.get)
    assert read("a") == 1
    with pytest.raises(context_keys.UnknownKeyReadError, match="'b'"):
        read("b")


def test_every_documented_key_is_a_key_of_an_integration() -> None:
    documented = set()
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        documented |= set(re.findall(r"-c ([a-zA-Z]+)=", page.read_text()))
    documented.discard("key")  # the generic `-c key=value`
    assert documented and documented <= set().union(*KEYS.values())
