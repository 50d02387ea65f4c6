"""The collector against a real moto server: a seeded account of more than 1,000 IAM entities."""

from __future__ import annotations

import io
import json
from pathlib import Path

import boto3
import pytest

from collector.cli.app import main
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws
from tests.e2e.iam_seed import TRUST, Shape, seed

pytestmark = pytest.mark.e2e
EXTERNAL_ID = "Customer-0001"


def _cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_counts_equal_the_seeded_ground_truth(local_aws: LocalAws, tmp_path: Path) -> None:
    iam = boto3.client("iam")
    shape = Shape()
    truth = seed(iam, shape)
    assert shape.users + shape.groups + shape.roles + shape.policies > 1000
    reader = iam.create_role(RoleName="IntegrationReader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    db = tmp_path / "inventory.sqlite"
    collect_iam = ["collect", "--role-arn", reader, "--external-id", EXTERNAL_ID, "--db", str(db)]
    collect_iam += ["--api-rate", "1000", "--fetchers", "iam"]

    code, output = _cli(*collect_iam)
    assert code == 0, output

    code, output = _cli("summary", "--db", str(db), "--json")
    assert code == 0
    summary = json.loads(output)
    counts = summary["counts"]
    assert counts["users"] == truth["users"]
    assert counts["groups"] == truth["groups"]
    assert counts["group_memberships"] == truth["group_memberships"]
    assert counts["roles"] == truth["roles"] + 1  # and the integration role itself
    assert counts["policies"] == truth["policies"]
    assert counts["inline_policies"] == truth["inline_policies"]
    assert counts["policy_attachments"] == truth["policy_attachments"]
    assert counts["access_keys"] == truth["access_keys"]
    assert counts["instance_profiles"] == truth["instance_profiles"]
    assert counts["accounts"] == 1 and counts["aws_managed_policies"] == 0
    assert [s["status"] for s in summary["scopes"]] == ["complete"]

    with SqliteStore(db) as store:
        (run,) = store.runs()
        calls = store.api_calls(run["run_id"])
        members = [r for r in store.rows("group_memberships") if r["group_name"] == "group-0"]
    assert len(members) == shape.big_group_members  # more than one GetGroup page would hold
    # Keys are listed only for the users the credential report shows with keys.
    assert calls[("123456789012", "iam", "ListAccessKeys")] == truth["users_with_keys"]
    assert calls[("123456789012", "iam", "GetAccountAuthorizationDetails")] == 1  # moto answers in one page

    # A second run reuses nothing stale: same counts, every row seen by the new run.
    iam.delete_access_key(
        UserName="user-0",
        AccessKeyId=iam.list_access_keys(UserName="user-0")["AccessKeyMetadata"][0]["AccessKeyId"],
    )
    code, output = _cli(*collect_iam)
    assert code == 0, output
    with SqliteStore(db) as store:
        assert store.counts()["access_keys"] == truth["access_keys"] - 1
        latest = store.runs()[-1]["run_id"]
        assert {r["run_id"] for r in store.rows("users")} == {latest}

    out_dir = tmp_path / "export"
    code, output = _cli("export", "--db", str(db), "--out", str(out_dir))
    assert code == 0, output
    assert len((out_dir / "users.jsonl").read_text().splitlines()) == truth["users"]
