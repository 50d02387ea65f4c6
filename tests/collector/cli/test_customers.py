"""``customers ...`` end to end on a temporary store, ``collect --customer`` settings, and usage errors."""

from __future__ import annotations

import io
import json
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from collector import formats
from collector.aws import Sessions
from collector.cli import app as cli
from collector.cli.collect import settings_from
from collector.cli.doctor import settings_from as doctor_settings
from collector.customers.record import TRUSTED_PRINCIPAL_ENV
from collector.customers.store import CustomerStore
from collector.runner import discover
from collector.store import SCHEMA_VERSION

VENDOR = "arn:aws:iam::999988887777:role/Vendor"
ACCOUNT = "111122223333"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return cli.main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv(TRUSTED_PRINCIPAL_ENV, raising=False)
    return str(tmp_path / "vendor.sqlite")


def _add(db: str, name: str, *options: str) -> str:
    code, _, err = _run("customers", "add", name, *options, "--db", db)
    assert code == 0, err
    return str(json.loads(_run("customers", "show", name, "--json", "--db", db)[1])["external_id"])


def test_the_customer_lifecycle(db: str) -> None:
    code, out, _ = _run(
        "customers", "add", "acme", "--method", "account", "--account-id", ACCOUNT,
        "--trusted-principal", VENDOR, "--db", db,
    )  # fmt: skip
    shown = json.loads(_run("customers", "show", "acme", "--json", "--db", db)[1])
    external_id = shown["external_id"]
    assert code == 0 and external_id in out and formats.external_id(external_id)
    assert shown["role_arns"] == [f"arn:aws:iam::{ACCOUNT}:role/ReadOnlyIntegrationRole"]
    assert shown["rotation_pending"] is False

    code, listed, _ = _run("customers", "list", "--db", db)
    assert code == 0 and "acme" in listed and external_id not in listed  # list never shows ExternalIds
    assert "external_id" not in json.loads(_run("customers", "list", "--json", "--db", db)[1])[0]

    code, text, _ = _run("customers", "instructions", "acme", "--db", db)
    assert code == 0 and f"ExternalId: {external_id}" in text
    assert f"-c externalId={external_id}" in text and "npx cdk deploy -c integration=account" in text
    assert "iam:GetAccountAuthorizationDetails" in text  # the permissions, from the catalog

    code, out, _ = _run(
        "customers", "update", "acme", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/Generated-1", "--db", db
    )
    assert code == 0 and "role_arn" in out
    assert json.loads(_run("customers", "show", "acme", "--json", "--db", db)[1])["role_arns"] == [
        f"arn:aws:iam::{ACCOUNT}:role/Generated-1"
    ]

    code, out, _ = _run("customers", "rotate-external-id", "acme", "--db", db)
    rotated = json.loads(_run("customers", "show", "acme", "--json", "--db", db)[1])
    assert code == 0 and rotated["external_id"] != external_id and rotated["rotation_pending"] is True
    assert f"new ExternalId {rotated['external_id']}" in out and "must redeploy" in out
    assert f"-c externalId={rotated['external_id']}" in out  # the command to run again
    assert f"ParameterValue={rotated['external_id']}" in out  # or the plain template's parameter
    assert "rotation pending redeploy" in _run("customers", "list", "--db", db)[1]

    assert _run("customers", "remove", "acme", "--db", db)[0] == 0
    code, _, err = _run("customers", "show", "acme", "--db", db)
    assert code == 2 and "NAME: got 'acme'; expected a recorded customer" in err


def test_add_takes_the_trusted_principal_from_the_environment(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TRUSTED_PRINCIPAL_ENV, VENDOR)
    _add(db, "acme", "--method", "account")
    assert (
        json.loads(_run("customers", "show", "acme", "--json", "--db", db)[1])["trusted_principal"] == VENDOR
    )
    # ...but not for the legacy method, whose roles trust the customer's own user.
    _add(db, "old", "--method", "legacy", "--accounts", ACCOUNT)


def test_the_quick_create_link_carries_the_template_and_the_external_id(db: str) -> None:
    external_id = _add(db, "acme", "--method", "account", "--trusted-principal", VENDOR)
    template_url = "https://vendor-templates.s3.amazonaws.com/account-role.json"
    _, text, _ = _run("customers", "instructions", "acme", "--template-url", template_url, "--db", db)
    link = next(line.strip() for line in text.splitlines() if "quickcreate" in line)
    fragment = urllib.parse.urlsplit(link).fragment
    query = urllib.parse.parse_qs(fragment.partition("?")[2])
    assert query == {
        "templateURL": [template_url],
        "stackName": ["ReadOnlyIntegration"],
        "param_ExternalId": [external_id],
    }
    assert link.startswith(
        "https://console.aws.amazon.com/cloudformation/home?region=us-east-1#/stacks/quickcreate"
    )


def test_instructions_as_json_for_each_method(db: str) -> None:
    _add(db, "acme", "--method", "account", "--trusted-principal", VENDOR, "--identity-center")
    _add(
        db, "bigco", "--method", "organization", "--trusted-principal", VENDOR, "--account-id", ACCOUNT,
        "--organizational-unit-ids", "r-ab12,ou-ab12-cdef3456", "--identity-center-region", "eu-west-1",
        "--identity-center-account-id", "444455556666",
    )  # fmt: skip
    admin = f"arn:aws:iam::{ACCOUNT}:role/Admin"
    _add(
        db, "old", "--method", "legacy", "--account-id", ACCOUNT, "--accounts", f"{ACCOUNT},444455556666",
        "--secret-readers", admin,
    )  # fmt: skip

    def guide(name: str) -> Any:
        code, out, err = _run("customers", "instructions", name, "--json", "--db", db)
        assert code == 0, err
        return json.loads(out)

    account = guide("acme")
    assert account["deploys"][0]["context"]["includeIdentityCenter"] == "true"
    assert "sso:ListInstances" in account["grants"][0]["actions"]
    organization = guide("bigco")
    assert organization["deploys"][0]["context"] == {
        "integration": "organization",
        "trustedPrincipal": VENDOR,
        "externalId": organization["external_id"],
        "roleName": "ReadOnlyIntegrationRole",
        "organizationalUnitIds": "r-ab12,ou-ab12-cdef3456",
        "callAs": "SELF",
        "identityCenterRegion": "eu-west-1",
        "identityCenterAccountId": "444455556666",
    }
    assert [g["where"] for g in organization["grants"]] == [
        "the management account's role",
        "each member account's role",
        "the role in 444455556666 (Identity Center administrator)",
    ]
    legacy = guide("old")
    (deploy,) = legacy["deploys"]  # one `cdk deploy --all`: the user's stack and each account's role stack
    assert deploy["command"].startswith("npx cdk deploy --all -c integration=legacy ")
    assert deploy["context"] == {
        "integration": "legacy",
        "userAccountId": ACCOUNT,
        "accountIds": f"{ACCOUNT},444455556666",
        "secretReaders": admin,
        "externalId": legacy["external_id"],
        "roleName": "ReadOnlyIntegrationRole",
    }
    # Once the customer reports the UserArn of a user with another name, the command names that user.
    user = f"arn:aws:iam::{ACCOUNT}:user/integration"
    assert _run("customers", "update", "old", "--trusted-principal", user, "--db", db)[0] == 0
    assert guide("old")["deploys"][0]["context"]["userName"] == "integration"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ((), "--account-id: got None; expected the account that holds the legacy user"),
        (("--account-id", ACCOUNT), "--secret-readers: got None; expected the customer's role or user ARNs"),
    ],
)
def test_legacy_instructions_name_what_the_record_lacks(
    db: str, options: tuple[str, ...], message: str
) -> None:
    _add(db, "old", "--method", "legacy", "--accounts", ACCOUNT, *options)
    for command in ("instructions", "rotate-external-id"):
        code, _, err = _run("customers", command, "old", "--db", db)
        assert code == 2 and message in err
    assert json.loads(_run("customers", "show", "old", "--json", "--db", db)[1])["rotation_pending"] is False


def test_a_legacy_user_arn_in_another_account_is_refused(db: str) -> None:
    code, _, err = _run(
        "customers", "add", "old", "--method", "legacy", "--account-id", ACCOUNT, "--accounts", ACCOUNT,
        "--trusted-principal", "arn:aws:iam::444455556666:user/integration", "--db", db,
    )  # fmt: skip
    assert code == 2 and "expected the integration user in the account that holds it" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["customers", "add", "acme"], "the following arguments are required: --method"),
        (
            ["customers", "add", "a b", "--method", "account", "--trusted-principal", VENDOR],
            "NAME: got 'a b'",
        ),
        (["customers", "add", "acme", "--method", "account"], "--trusted-principal: got None"),
        (
            ["customers", "add", "acme", "--method", "organization", "--trusted-principal", VENDOR],
            "--organizational-unit-ids: got None",
        ),
        (
            [
                "customers",
                "add",
                "acme",
                "--method",
                "account",
                "--trusted-principal",
                VENDOR,
                "--accounts",
                ACCOUNT,
            ],
            "expected to be used with --method legacy",
        ),
        (
            [
                "customers",
                "add",
                "acme",
                "--method",
                "account",
                "--trusted-principal",
                VENDOR,
                "--secret-readers",
                f"arn:aws:iam::{ACCOUNT}:role/Admin",
            ],
            "--secret-readers: got ('arn:aws:iam::111122223333:role/Admin',); expected to be used with",
        ),
        (
            [
                "customers",
                "add",
                "acme",
                "--method",
                "account",
                "--trusted-principal",
                VENDOR,
                "--account-id",
                ACCOUNT,
                "--role-arn",
                "arn:aws:iam::444455556666:role/R",
            ],
            f"expected a role in the customer's account {ACCOUNT}",
        ),
        (["customers", "instructions", "nobody"], "NAME: got 'nobody'; expected a recorded customer"),
        (["customers", "update", "nobody", "--profile", "p"], "NAME: got 'nobody'"),
        (["collect", "--customer", "nobody"], "NAME: got 'nobody'"),
        (["collect", "--customer", "acme", "--role-arn", VENDOR], "--role-arn: got"),
        (["collect", "--external-id", "abc"], "--role-arn: got None; expected the integration role's ARN"),
        (["doctor"], "--role-arn: got None; expected the role to check (or --customer NAME)"),
        (["doctor", "--customer", "acme", "--organization"], "--organization: got True; expected nothing"),
        (["doctor", "--role-arn", VENDOR], "--external-id: got None"),
        (
            ["doctor", "--role-arn", VENDOR, "--external-id", "abc", "--member-role-name", "R"],
            "with --organization",
        ),
        (
            ["doctor", "--role-arn", VENDOR, "--external-id", "abc", "--region", "moon-1"],
            "--region: got 'moon-1'",
        ),
    ],
)
def test_bad_input_is_exit_2_naming_the_setting(db: str, argv: list[str], message: str) -> None:
    CustomerStore(db)  # the registry exists (with no customer)
    code, _, err = _run(*argv, "--db", db)
    assert code == 2
    assert message in err, err


def test_nothing_to_change_is_a_usage_error(db: str) -> None:
    _add(db, "acme", "--method", "account", "--trusted-principal", VENDOR)
    code, _, err = _run("customers", "update", "acme", "--db", db)
    assert code == 2 and "at least one detail to change" in err


def test_collect_with_a_customer_uses_its_roles_external_id_and_profile(db: str) -> None:
    acme_id = _add(db, "acme", "--method", "account", "--trusted-principal", VENDOR, "--account-id", ACCOUNT)
    settings = settings_from(cli.build_parser().parse_args(["collect", "--customer", "acme", "--db", db]))
    assert settings.role_arn == f"arn:aws:iam::{ACCOUNT}:role/ReadOnlyIntegrationRole"
    assert settings.external_id == acme_id and not settings.organization and settings.more_role_arns == ()

    _add(
        db, "bigco", "--method", "organization", "--trusted-principal", VENDOR, "--account-id", ACCOUNT,
        "--organizational-unit-ids", "r-ab12", "--role-name", "Integration",
        "--identity-center-region", "eu-west-1",
    )  # fmt: skip
    args = ["collect", "--customer", "bigco", "--include-ou", "r-ab12", "--regions", "eu-west-1", "--db", db]
    settings = settings_from(cli.build_parser().parse_args(args))
    assert settings.organization and settings.member_role_name == "Integration"
    assert settings.role_arn == f"arn:aws:iam::{ACCOUNT}:role/Integration"
    assert settings.include_ous == ("r-ab12",) and settings.regions == ("eu-west-1",)
    assert settings.identity_center_region == "eu-west-1"  # recorded, unless --identity-center-region says

    _add(db, "old", "--method", "legacy", "--accounts", f"{ACCOUNT},444455556666", "--profile", "old-key")
    settings = settings_from(cli.build_parser().parse_args(["collect", "--customer", "old", "--db", db]))
    assert settings.role_arn == f"arn:aws:iam::{ACCOUNT}:role/ReadOnlyIntegrationRole"
    assert settings.more_role_arns == ("arn:aws:iam::444455556666:role/ReadOnlyIntegrationRole",)
    assert settings.profile == "old-key" and "external_id" not in settings.to_json()
    with_profile = ["collect", "--customer", "old", "--profile", "other", "--db", db]
    assert settings_from(cli.build_parser().parse_args(with_profile)).profile == "other"


def test_a_customer_whose_role_is_not_known_yet_cannot_be_collected(db: str) -> None:
    _add(db, "acme", "--method", "account", "--trusted-principal", VENDOR)
    code, _, err = _run("collect", "--customer", "acme", "--db", db)
    assert code == 2 and "customers update acme --account-id ID" in err


def test_the_legacy_accounts_are_all_planned(db: str, offline_aws: None) -> None:
    _add(db, "old", "--method", "legacy", "--accounts", f"{ACCOUNT},444455556666")
    settings = settings_from(
        cli.build_parser().parse_args(["collect", "--customer", "old", "--fetchers", "iam", "--db", db])
    )
    found = discover(settings, Sessions(external_id=settings.external_id, run_id="r"), ())
    assert [(a.account_id, a.role_arn.rsplit("/", 1)[1]) for a in found.accounts] == [
        (ACCOUNT, "ReadOnlyIntegrationRole"),
        ("444455556666", "ReadOnlyIntegrationRole"),
    ]


def test_the_external_id_mode_is_recorded_and_used_by_collect_and_doctor(db: str) -> None:
    _add(
        db, "acme", "--method", "organization", "--trusted-principal", VENDOR, "--account-id", ACCOUNT,
        "--organizational-unit-ids", "r-ab12", "--external-id-mode", "per-account",
    )  # fmt: skip
    shown = json.loads(_run("customers", "show", "acme", "--json", "--db", db)[1])
    assert shown["external_id_mode"] == "per-account"
    collect = settings_from(cli.build_parser().parse_args(["collect", "--customer", "acme", "--db", db]))
    assert collect.external_id_mode.value == "per-account"
    doctor = doctor_settings(cli.build_parser().parse_args(["doctor", "--customer", "acme", "--db", db]))
    assert doctor.external_id_mode.value == "per-account"

    code, _, err = _run("collect", "--customer", "acme", "--external-id-mode", "shared", "--db", db)
    assert code == 2 and "--external-id-mode: got 'shared'; expected nothing with --customer" in err
    assert _run("customers", "update", "acme", "--external-id-mode", "shared", "--db", db)[0] == 0
    collect = settings_from(cli.build_parser().parse_args(["collect", "--customer", "acme", "--db", db]))
    assert collect.external_id_mode.value == "shared"


def test_customers_recorded_before_the_mode_existed_are_shared(db: str) -> None:
    _add(db, "acme", "--method", "account", "--trusted-principal", VENDOR, "--account-id", ACCOUNT)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE customers DROP COLUMN external_id_mode")  # as the migration before it left it
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    conn.commit()
    conn.close()
    code, out, err = _run("customers", "show", "acme", "--json", "--db", db)  # read-only: not migrated
    assert code == 0 and json.loads(out)["external_id_mode"] == "shared", err
    assert _run("customers", "update", "acme", "--profile", "p", "--db", db)[0] == 0  # migrates
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT external_id_mode FROM customers").fetchall() == [("shared",)]


def test_the_run_without_a_customer_is_shared_unless_asked() -> None:
    base = ["collect", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/R", "--external-id", "abc"]
    assert settings_from(cli.build_parser().parse_args(base)).external_id_mode.value == "shared"
    per_account = [*base, "--external-id-mode", "per-account"]
    assert settings_from(cli.build_parser().parse_args(per_account)).external_id_mode.value == "per-account"
