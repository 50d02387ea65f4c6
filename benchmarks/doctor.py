"""``doctor`` on the local AWS: API calls per account and wall time, for one account and an organization.

``python -m benchmarks.doctor [--members N]`` prints one line per case. IAM enforcement and AWS-like trust
evaluation are on, the vendor's principal is in its own account, every role holds exactly the catalog's
actions. Wall time is bounded by moto (a local Python server, tens of milliseconds a call on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from typing import Any

from collector.doctor.checks import Doctor, DoctorSettings, OrganizationScope, Target
from collector.permissions import DEFAULT_FEATURES, Feature, actions_for
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    AccountSpec,
    OrganizationalUnitSpec,
    OrganizationSpec,
    create_organization,
    create_vendor_principal,
    management_session,
    member_session,
)

EXTERNAL_ID = "Benchmark-External-Id-1"
ROLE = "Integration"


def _role(iam: Any, trust_principal: str, actions: tuple[str, ...]) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": trust_principal},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
    }
    trust = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    arn: str = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=ROLE, PolicyName="read", PolicyDocument=json.dumps(policy))
    return arn


def _run(settings: DoctorSettings) -> str:
    doctor = Doctor(settings, run_id="bench")
    started = time.perf_counter()
    report = doctor.run()
    wall = time.perf_counter() - started
    assert report.exit_code == 0, report.table()
    accounts = len({f.account_id for f in report.findings if f.check == "assume"})
    per_service = Counter[str]()
    for count in doctor.sessions.recorder.snapshot():
        per_service[count.service] += count.calls
    services = " ".join(f"{k}={v}" for k, v in sorted(per_service.items()))
    return (
        f"{settings.subject:<31} accounts {accounts:>3}  calls {report.api_calls:>4} "
        f"({report.api_calls / accounts:.1f}/account: {services})  wall {wall:.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=4, help="member accounts of the organization")
    args = parser.parse_args(argv)
    with LocalAws() as aws, aws.environ():
        vendor = create_vendor_principal(aws.endpoint_url)
        management = management_session(aws.endpoint_url)
        spec = OrganizationSpec(
            organizational_units=(OrganizationalUnitSpec("Members"),),
            accounts=tuple(AccountSpec(f"member-{i:02d}", ou="Members") for i in range(args.members)),
        )
        truth = create_organization(management, spec)
        management_role = _role(management.client("iam"), vendor.user_arn, actions_for(Feature))
        for account_id in truth.member_account_ids:
            _role(
                member_session(management, account_id).client("iam"),
                vendor.user_arn,
                actions_for(DEFAULT_FEATURES),
            )
        aws.enforce_iam(True)
        aws.evaluate_trust(True)
        os.environ["AWS_ACCESS_KEY_ID"] = vendor.access_key_id
        os.environ["AWS_SECRET_ACCESS_KEY"] = vendor.secret_access_key
        member = truth.member_account_ids[0]
        one = DoctorSettings(
            subject="one account (default features)",
            targets=(Target(member, f"arn:aws:iam::{member}:role/{ROLE}", DEFAULT_FEATURES),),
            external_id=EXTERNAL_ID,
        )
        organization = DoctorSettings(
            subject=f"organization ({args.members} members)",
            targets=(
                Target(truth.management_account_id, management_role, frozenset(Feature), "management role"),
            ),
            external_id=EXTERNAL_ID,
            organization=OrganizationScope(ROLE),
            identity_center_region="us-east-1",
        )
        print("doctor on the local AWS (IAM enforcement, trust evaluated as AWS does)")
        print(_run(one))
        print(_run(organization))
    return 0


if __name__ == "__main__":
    sys.exit(main())
