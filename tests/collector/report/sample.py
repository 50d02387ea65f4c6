"""A small organization's inventory as stored rows (the fields of each kind's record), for the report's tests.

Three collected accounts (management, prod, dev) and an outsider (the vendor, a partner). Names that an
attacker controls (a role name, a tag, a group, an event name) carry markup that must stay inert, and the
rows carry the secrets a page must never show: the ExternalId in a trust condition, an access key ID (only
its last four characters may appear), a session token in an event's raw JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collector.models import GLOBAL, Problem, ScopeKey, ScopeStatus
from collector.report.inventory import MemoryInventory
from collector.services.iam.records import AccessKey, Role, User
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore

MANAGEMENT, PROD, DEV = "111111111111", "222222222222", "333333333333"
SUSPENDED = "555555555555"  # in the organization, never collected
VENDOR, PARTNER = "999988887777", "444455556666"
EXTERNAL_ID = "Vendor-ExternalId-9f8e7d"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN1234567890"
HOSTILE = "</script><img src=x onerror=\"document.title='pwned'\">"
HOSTILE_ROLE = f"Evil{HOSTILE}"
AS_OF = "2026-12-01T12:00:00+00:00"
TRAIL = "s3://org-trail-logs/AWSLogs/ (trail arn:aws:cloudtrail:us-east-1:111111111111:trail/org)"
TRAIL_NOTE = f"source: read 3 log files from {TRAIL}"  # what the CloudTrail fetcher notes


def _scope(account: str, region: str, service: str, status: str = "complete", detail: str = "", missing=()):
    return {
        "account_id": account,
        "region": region,
        "service": service,
        "status": status,
        "detail": detail,
        "missing_actions": list(missing),
        "record_count": 1,
        "run_id": "run-2",
        "data_run_id": "run-2" if status == "complete" else None,
        "started_at": "2026-12-01T11:00:00+00:00",
        "finished_at": AS_OF,
    }


def scopes() -> list[dict[str, Any]]:
    out = []
    for account in (MANAGEMENT, PROD, DEV):
        out += [_scope(account, "global", "iam"), _scope(account, "global", "organizations")]
        for region in ("us-east-1", "eu-west-1"):
            out.append(_scope(account, region, "ec2"))
            out.append(
                _scope(
                    account,
                    region,
                    "cloudtrail",
                    detail=TRAIL_NOTE if account != DEV else "",
                )
            )
    out.append(_scope(MANAGEMENT, "global", "identity_center"))
    # Problems: DEV's EC2 denied in one region, PROD's IAM partial.
    out = [
        s
        for s in out
        if not (s["account_id"] == DEV and s["service"] == "ec2" and s["region"] == "eu-west-1")
    ]
    out.append(
        _scope(
            DEV,
            "eu-west-1",
            "ec2",
            "denied",
            "denied ec2:DescribeInstances (AccessDenied: not authorized)",
            ["ec2:DescribeInstances"],
        )
    )
    out = [s for s in out if not (s["account_id"] == PROD and s["service"] == "iam")]
    out.append(
        _scope(
            PROD,
            "global",
            "iam",
            "partial",
            "access_keys: denied iam:GetAccessKeyLastUsed (AccessDenied)",
            ["iam:GetAccessKeyLastUsed"],
        )
    )
    return out


def _trust(account: str, role: str, ptype: str, principal: str, owner, external, external_id: bool, **extra):
    return {
        "account_id": account,
        "region": "global",
        "role_arn": f"arn:aws:iam::{account}:role/{role}",
        "principal_type": ptype,
        "principal": principal,
        "principal_account_id": owner,
        "actions": ["sts:AssumeRole"],
        "external_account": external,
        "external_id_required": external_id,
        "conditions": [{"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}] if external_id else [None],
        **extra,
    }


def kinds() -> dict[str, list[dict[str, Any]]]:
    g = "global"
    return {
        "accounts": [{"account_id": a, "region": g, "id": a, "alias": None} for a in (MANAGEMENT, PROD, DEV)],
        "organization_accounts": [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "id": a,
                "name": n,
                "email": f"{n}@example.com",
                "status": "ACTIVE",
            }
            for a, n in (
                (MANAGEMENT, "management"),
                (PROD, "prod"),
                (DEV, f"dev{HOSTILE}"),
                (SUSPENDED, "old"),
            )
        ],
        "organizations": [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "id": "o-abc",
                "arn": f"arn:aws:organizations::{MANAGEMENT}:organization/o-abc",
            }
        ],
        "users": [
            {"account_id": PROD, "region": g, "arn": f"arn:aws:iam::{PROD}:user/{n}", "name": n}
            for n in ("alice", "bob", "ci")
        ],
        "groups": [
            {"account_id": PROD, "region": g, "arn": f"arn:aws:iam::{PROD}:group/admins", "name": "admins"}
        ],
        "roles": [
            {
                "account_id": a,
                "region": g,
                "arn": f"arn:aws:iam::{a}:role/{r}",
                "name": r,
                "trust_policy": {
                    "Statement": [{"Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]
                },
            }
            for a, r in (
                (MANAGEMENT, "VendorReader"),
                (PROD, "VendorReader"),
                (PROD, HOSTILE_ROLE),
                (DEV, "Deploy"),
            )
        ],
        "policies": [],
        "access_keys": [
            {
                "account_id": PROD,
                "region": g,
                "access_key_id": KEY_ID,
                "user_name": "ci",
                "user_arn": f"arn:aws:iam::{PROD}:user/ci",
                "status": "Active",
                "create_date": "2025-12-01T12:00:00+00:00",
                "last_used_date": "2026-11-21T12:00:00+00:00",
                "last_used_service": "s3",
                "raw": {"AccessKeyId": KEY_ID, "SecretAccessKey": SECRET_KEY},  # never stored; never shown
            },
            {
                "account_id": PROD,
                "region": g,
                "access_key_id": "AKIAOLDKEYNEVERUSED1",
                "user_name": "bob",
                "user_arn": f"arn:aws:iam::{PROD}:user/bob",
                "status": "Inactive",
                "create_date": "2024-12-01T12:00:00+00:00",
                "last_used_date": None,
                "last_used_service": None,
            },
        ],
        "user_credentials": [
            {
                "account_id": PROD,
                "region": g,
                "user_arn": f"arn:aws:iam::{PROD}:user/{n}",
                "user_name": n,
                "password_enabled": pw,
                "password_last_used": None,
                "mfa_active": mfa,
            }
            for n, pw, mfa in (("alice", True, True), ("bob", True, False), ("ci", False, False))
        ],
        "account_summaries": [
            {
                "account_id": DEV,
                "region": g,
                "account": DEV,
                "root_mfa_enabled": False,
                "root_access_keys_present": True,
            },
            {
                "account_id": PROD,
                "region": g,
                "account": PROD,
                "root_mfa_enabled": True,
                "root_access_keys_present": False,
            },
        ],
        "saml_providers": [
            {"account_id": PROD, "region": g, "arn": f"arn:aws:iam::{PROD}:saml-provider/Okta"}
        ],
        "role_trust_principals": [
            _trust(
                MANAGEMENT, "VendorReader", "AWS", f"arn:aws:iam::{VENDOR}:role/Vendor", VENDOR, True, True
            ),
            _trust(PROD, "VendorReader", "AWS", f"arn:aws:iam::{VENDOR}:role/Vendor", VENDOR, True, True),
            _trust(PROD, HOSTILE_ROLE, "AWS", f"arn:aws:iam::{PARTNER}:root", PARTNER, True, False),
            _trust(DEV, "Deploy", "AWS", f"arn:aws:iam::{PROD}:role/ci", PROD, False, False),
            _trust(DEV, "Deploy", "Service", "codebuild.amazonaws.com", None, None, False),
            _trust(DEV, "Anyone", "*", "*", None, True, False),
            _trust(
                PROD, "OktaAdmin", "Federated", f"arn:aws:iam::{PROD}:saml-provider/Okta", PROD, False, False
            ),
            _trust(PROD, "Self", "AWS", f"arn:aws:iam::{PROD}:root", PROD, False, False),
        ],
        "identity_store_users": [
            {"account_id": MANAGEMENT, "region": g, "identity_store_id": "d-1", "user_id": u, "user_name": n}
            for u, n in (("u-1", "ada@example.com"), ("u-2", "lin@example.com"))
        ],
        "identity_store_groups": [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "identity_store_id": "d-1",
                "group_id": "g-1",
                "display_name": "Admins",
            }
        ],
        "identity_store_memberships": [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "identity_store_id": "d-1",
                "membership_id": "m-1",
                "group_id": "g-1",
                "user_id": "u-2",
            }
        ],
        "permission_sets": [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "permission_set_arn": "arn:ps/admin",
                "name": "AdministratorAccess",
            },
            {"account_id": MANAGEMENT, "region": g, "permission_set_arn": "arn:ps/read", "name": "ReadOnly"},
        ],
        "provisioned_permission_sets": [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "permission_set_arn": "arn:ps/admin",
                "target_account_id": a,
            }
            for a in (PROD, DEV)
        ],
        "account_assignments": [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "permission_set_arn": "arn:ps/admin",
                "target_account_id": a,
                "principal_type": "GROUP",
                "principal_id": "g-1",
            }
            for a in (PROD, DEV)
        ]
        + [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "permission_set_arn": "arn:ps/read",
                "target_account_id": PROD,
                "principal_type": "USER",
                "principal_id": "u-1",
            }
        ],
        "access_manager_entitlements": [
            {
                "account_id": MANAGEMENT,
                "region": g,
                "application_arn": "arn:app/1",
                "entitlement_id": "e-1",
                "principal_type": "USER",
                "principal_id": "u-1",
                "role_arn": f"arn:aws:iam::{DEV}:role/Deploy",
                "target_account_id": DEV,
            }
        ],
        "ebs_snapshots": [
            {"account_id": PROD, "region": "us-east-1", "snapshot_id": s, "description": d, "encrypted": e}
            for s, d, e in (
                ("snap-public", "db backup", False),
                ("snap-partner", "logs", True),
                ("snap-org", "", True),
            )
        ],
        "snapshot_shares": [
            {
                "account_id": PROD,
                "region": "us-east-1",
                "snapshot_id": "snap-public",
                "grantee_type": "public",
                "grantee": "all",
            },
            {
                "account_id": PROD,
                "region": "us-east-1",
                "snapshot_id": "snap-partner",
                "grantee_type": "account",
                "grantee": PARTNER,
            },
            {
                "account_id": PROD,
                "region": "us-east-1",
                "snapshot_id": "snap-org",
                "grantee_type": "account",
                "grantee": DEV,
            },
        ],
        "images": [
            {
                "account_id": DEV,
                "region": "eu-west-1",
                "image_id": "ami-public",
                "name": "base",
                "public": True,
            },
            {
                "account_id": DEV,
                "region": "eu-west-1",
                "image_id": "ami-org",
                "name": "golden",
                "public": False,
            },
        ],
        "image_shares": [
            {
                "account_id": DEV,
                "region": "eu-west-1",
                "image_id": "ami-org",
                "grantee_type": "organization",
                "grantee": f"arn:aws:organizations::{MANAGEMENT}:organization/o-abc",
            },
        ],
        "cloudtrail_events": [
            {
                "account_id": a,
                "region": "us-east-1",
                "event_id": f"ev-{i}",
                "event_time": f"2026-12-01T10:{i:02d}:00+00:00",
                "event_name": name,
                "event_source": "iam.amazonaws.com",
                "read_only": False,
                "principal_arn": f"arn:aws:sts::{a}:assumed-role/Admin/s",
                "access_key_id": "ASIATEMPORARYKEY1234",
                "aws_region": "us-east-1",
                "raw": {"requestParameters": {"externalId": EXTERNAL_ID}, "sessionToken": SESSION_TOKEN},
            }
            for i, (a, name) in enumerate(
                [
                    (PROD, "CreateUser"),
                    (DEV, "AssumeRole"),
                    (PROD, f"Put{HOSTILE}"),
                    (MANAGEMENT, "CreateRole"),
                ]
            )
        ],
    }


def runs() -> list[dict[str, Any]]:
    settings = {
        "organization": True,
        "cloudtrail_source": "auto",
        "role_arn": f"arn:aws:iam::{MANAGEMENT}:role/R",
    }
    return [
        {
            "run_id": "run-1",
            "started_at": "2026-11-30T11:00:00+00:00",
            "finished_at": "2026-11-30T12:00:00+00:00",
            "complete": 1,
            "settings": settings,
        },
        {
            "run_id": "run-2",
            "started_at": "2026-12-01T11:00:00+00:00",
            "finished_at": AS_OF,
            "complete": 0,
            "settings": settings,
        },
    ]


def inventory(**overrides: Any) -> MemoryInventory:
    return MemoryInventory(kinds={**kinds(), **overrides}, scope_rows=scopes(), run_rows=runs())


def write_small_store(path: Path) -> None:
    """A real SQLite store: one account's IAM (a user, a role whose trust requires an ExternalId, a key),
    its EC2 denied in one region."""
    user = User(
        account_id=MANAGEMENT,
        arn=f"arn:aws:iam::{MANAGEMENT}:user/ci",
        name="ci",
        user_id="AIDA1",
        path="/",
        create_date="2025-01-01T00:00:00+00:00",
    )
    role = Role(
        account_id=MANAGEMENT,
        arn=f"arn:aws:iam::{MANAGEMENT}:role/Reader",
        name="Reader",
        role_id="AROA1",
        path="/",
        create_date="2025-01-01T00:00:00+00:00",
        trust_policy={
            "Statement": [{"Effect": "Allow", "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]
        },
    )
    key = AccessKey(
        account_id=MANAGEMENT,
        access_key_id=KEY_ID,
        user_name="ci",
        user_arn=user.arn,
        status="Active",
        create_date="2025-01-01T00:00:00+00:00",
    )
    iam = ScopeResult(
        ScopeKey(MANAGEMENT, GLOBAL, "iam"), ScopeStatus.COMPLETE, (), 3, "t0", "2026-01-01T00:00:00+00:00"
    )
    ec2 = ScopeResult(
        ScopeKey(MANAGEMENT, "us-east-1", "ec2"),
        ScopeStatus.DENIED,
        (Problem(ScopeStatus.DENIED, "", "AccessDenied", "ec2:DescribeInstances"),),
        0,
        "t0",
        "2026-01-01T00:00:00+00:00",
    )
    with SqliteStore(path) as store:
        store.start_run("run-1", "2026-01-01T00:00:00+00:00", {"organization": False})
        store.write_scope("run-1", ScopeOutcome(iam, (user, role, key), (User, Role, AccessKey)))
        store.write_scope("run-1", ScopeOutcome(ec2, (), ()))
        store.finish_run(
            RunManifest("run-1", "2026-01-01T00:00:00+00:00", "2026-01-01T00:01:00+00:00", {}, (iam, ec2), ())
        )
