"""Seed one account of the local AWS with a known IAM inventory, and return the ground truth counts."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

DOC = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@dataclass(frozen=True)
class Shape:
    users: int = 500
    groups: int = 20
    big_group_members: int = 150  # more than GetGroup's 100 a page
    roles: int = 400
    policies: int = 100
    inline_every: int = 10  # one inline policy per this many roles
    users_with_keys: int = 30


def seed(iam: Any, shape: Shape, workers: int = 8) -> Counter[str]:
    """Create the inventory (in parallel, the server is threaded) and return what was created, per kind."""
    truth: Counter[str] = Counter()

    def run(calls: list[tuple[str, dict[str, Any]]], parallel: bool = True) -> None:
        with ThreadPoolExecutor(workers if parallel else 1) as pool:
            list(pool.map(lambda c: getattr(iam, c[0])(**c[1]), calls))

    run(
        [
            ("create_policy", {"PolicyName": f"policy-{i}", "PolicyDocument": DOC})
            for i in range(shape.policies)
        ]
    )
    run([("create_group", {"GroupName": f"group-{i}"}) for i in range(shape.groups)])
    run([("create_user", {"UserName": f"user-{i}", "Path": "/people/"}) for i in range(shape.users)])
    # moto's CreateRole is not thread-safe (it scans every role for ID collisions): one at a time.
    run(
        [
            ("create_role", {"RoleName": f"role-{i}", "AssumeRolePolicyDocument": TRUST})
            for i in range(shape.roles)
        ],
        False,
    )
    truth.update(users=shape.users, groups=shape.groups, roles=shape.roles, policies=shape.policies)

    members = [
        ("add_user_to_group", {"GroupName": "group-0", "UserName": f"user-{i}"})
        for i in range(shape.big_group_members)
    ]
    members += [
        ("add_user_to_group", {"GroupName": f"group-{1 + i % (shape.groups - 1)}", "UserName": f"user-{i}"})
        for i in range(shape.big_group_members, shape.users)
    ]
    run(members)
    truth["group_memberships"] = len(members)

    account = iam.get_user(UserName="user-0")["User"]["Arn"].split(":")[4]
    inline = [
        ("put_role_policy", {"RoleName": f"role-{i}", "PolicyName": "inline", "PolicyDocument": DOC})
        for i in range(0, shape.roles, shape.inline_every)
    ]
    attach = [
        (
            "attach_role_policy",
            {
                "RoleName": f"role-{i}",
                "PolicyArn": f"arn:aws:iam::{account}:policy/policy-{i % shape.policies}",
            },
        )
        for i in range(shape.roles)
    ]
    run(inline + attach)
    truth["inline_policies"] = len(inline)
    truth["policy_attachments"] = len(attach)

    run([("create_access_key", {"UserName": f"user-{i}"}) for i in range(shape.users_with_keys)])
    iam.create_access_key(UserName="user-0")  # a second key for one user
    truth["access_keys"] = shape.users_with_keys + 1
    truth["users_with_keys"] = shape.users_with_keys

    iam.create_instance_profile(InstanceProfileName="web")
    iam.add_role_to_instance_profile(InstanceProfileName="web", RoleName="role-0")
    truth["instance_profiles"] = 1
    return truth
