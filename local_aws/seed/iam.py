"""Seed one account's IAM: users, groups, memberships, roles with trust policies, customer-managed and
AWS-managed policy attachments, inline policies, access keys, an instance profile.

The pattern (index i, U users, G groups, P customer policies):
- group i gets customer policy i % P; the first group also gets every AWS-managed policy of the spec;
  groups with an even index get an inline policy;
- user i joins group i % G (the first user joins every group); every third user (i % 3 == 0) gets an
  inline policy; users with i % 4 == 1 get customer policy i % P attached directly; each user gets the
  spec's access keys (a second key is Inactive);
- role 0 trusts ec2.amazonaws.com, has an instance profile of its own name and the AWS-managed policies;
  role i > 0 trusts user i % U of the account (the account root without users), gets customer policy
  i % P, and an inline policy when i is odd.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from local_aws.seed.concurrency import map_all, run_all
from local_aws.seed.sessions import AccountSession
from local_aws.seed.specs import IamSpec
from local_aws.seed.truth import (
    AccessKeyTruth,
    IamTruth,
    InlinePolicy,
    PolicyAttachment,
    PrincipalType,
    RoleTruth,
    attachment_key,
    inline_key,
)

POLICY_PATH = "/seeded/"
_READ_ACTIONS = (
    ("s3:ListBucket", "s3:GetBucketLocation"),
    ("ec2:Describe*",),
    ("cloudformation:DescribeStacks", "cloudformation:ListStacks"),
    ("logs:DescribeLogGroups",),
    ("iam:GetUser", "iam:ListAccessKeys"),
)
_ATTACH: dict[PrincipalType, tuple[str, str]] = {
    "user": ("attach_user_policy", "UserName"),
    "group": ("attach_group_policy", "GroupName"),
    "role": ("attach_role_policy", "RoleName"),
}
_PUT_INLINE: dict[PrincipalType, tuple[str, str]] = {
    "user": ("put_user_policy", "UserName"),
    "group": ("put_group_policy", "GroupName"),
    "role": ("put_role_policy", "RoleName"),
}


def policy_document(index: int) -> str:
    """A small read-only identity policy; ``index`` picks one of a few action sets."""
    statement = {
        "Effect": "Allow",
        "Action": list(_READ_ACTIONS[index % len(_READ_ACTIONS)]),
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def trust_policy(principal: dict[str, str]) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def create_customer_policy(account: AccountSession, name: str, path: str, index: int = 0) -> str:
    """One customer-managed policy; returns its ARN."""
    return _create_policy(account.client("iam"), name, path, policy_document(index))


class _Plan:
    """The attachment and inline-policy calls of one account, with the truth they produce."""

    def __init__(self, iam: Any) -> None:
        self.iam = iam
        self.calls: list[Callable[[], object]] = []
        self.attachments: list[PolicyAttachment] = []
        self.inline: list[InlinePolicy] = []

    def attach(self, kind: PrincipalType, name: str, arn: str) -> None:
        self.attachments.append(PolicyAttachment(kind, name, arn))
        method, key = _ATTACH[kind]
        self.calls.append(partial(getattr(self.iam, method), **{key: name, "PolicyArn": arn}))

    def put_inline(self, kind: PrincipalType, name: str, index: int) -> None:
        policy_name = f"{name}-inline"
        self.inline.append(InlinePolicy(kind, name, policy_name))
        method, key = _PUT_INLINE[kind]
        document = policy_document(index + 1)
        call = partial(
            getattr(self.iam, method), **{key: name, "PolicyName": policy_name, "PolicyDocument": document}
        )
        self.calls.append(call)


def seed_iam(account: AccountSession, spec: IamSpec) -> IamTruth:
    """Create ``spec``'s IAM entities in the account; returns what now exists there because of it."""
    iam = account.client("iam")
    policies = run_all(
        partial(_create_policy, iam, name, POLICY_PATH, policy_document(i))
        for i, name in enumerate(spec.customer_policies)
    )
    plan = _Plan(iam)
    map_all(lambda name: iam.create_group(GroupName=name), spec.groups)
    for i, group in enumerate(spec.groups):
        plan.attach("group", group, policies[i % len(policies)])
        if i == 0:
            for arn in spec.aws_managed_policies:
                plan.attach("group", group, arn)
        if i % 2 == 0:
            plan.put_inline("group", group, i)

    map_all(lambda name: iam.create_user(UserName=name), spec.users)
    memberships: list[tuple[str, str]] = []
    for i, user in enumerate(spec.users):
        groups = spec.groups if i == 0 else (spec.groups[i % len(spec.groups)],)
        memberships += [(group, user) for group in groups]
        if i % 3 == 0:
            plan.put_inline("user", user, i)
        if i % 4 == 1:
            plan.attach("user", user, policies[i % len(policies)])
    plan.calls += [partial(iam.add_user_to_group, GroupName=g, UserName=u) for g, u in memberships]

    roles = run_all(
        partial(_create_role, iam, account.account_id, i, name, spec) for i, name in enumerate(spec.roles)
    )
    profiles: list[str] = []
    for i, role in enumerate(spec.roles):
        if i == 0:
            for arn in spec.aws_managed_policies:
                plan.attach("role", role, arn)
            profiles.append(_create_instance_profile(iam, role))
        else:
            plan.attach("role", role, policies[i % len(policies)])
            if i % 2 == 1:
                plan.put_inline("role", role, i)
    run_all(plan.calls)
    keys = run_all(
        partial(_create_key, iam, user, active=n == 0)
        for user in spec.users
        for n in range(spec.access_keys_per_user)
    )
    return IamTruth(
        account_id=account.account_id,
        users=tuple(sorted(spec.users)),
        groups=tuple(sorted(spec.groups)),
        group_memberships=tuple(sorted(memberships)),
        roles=tuple(sorted(roles, key=lambda r: r.name)),
        customer_managed_policies=tuple(sorted(policies)),
        attachments=tuple(sorted(plan.attachments, key=attachment_key)),
        inline_policies=tuple(sorted(plan.inline, key=inline_key)),
        access_keys=tuple(sorted(keys, key=lambda k: k.access_key_id)),
        instance_profiles=tuple(sorted(profiles)),
    )


def _create_policy(iam: Any, name: str, path: str, document: str) -> str:
    return str(iam.create_policy(PolicyName=name, Path=path, PolicyDocument=document)["Policy"]["Arn"])


def _create_role(iam: Any, account_id: str, index: int, name: str, spec: IamSpec) -> RoleTruth:
    if index == 0:
        principal = {"Service": "ec2.amazonaws.com"}
    elif spec.users:
        principal = {"AWS": f"arn:aws:iam::{account_id}:user/{spec.users[index % len(spec.users)]}"}
    else:
        principal = {"AWS": f"arn:aws:iam::{account_id}:root"}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy(principal))["Role"]
    return RoleTruth(name, role["Arn"], role["Path"], tuple(principal.values()))


def _create_instance_profile(iam: Any, role: str) -> str:
    profile = iam.create_instance_profile(InstanceProfileName=role)["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=role, RoleName=role)
    return str(profile["Arn"])


def _create_key(iam: Any, user: str, *, active: bool) -> AccessKeyTruth:
    key = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]
    if not active:
        iam.update_access_key(UserName=user, AccessKeyId=key, Status="Inactive")
    return AccessKeyTruth(user, key, "Active" if active else "Inactive")
