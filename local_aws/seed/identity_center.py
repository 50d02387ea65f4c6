"""Seed IAM Identity Center in the management account, and the roles it would provision in each account.

moto 5.2 has one Identity Center instance in every account and region from the start (there is nothing to
create), accepts any identity store ID, and its provisioning creates no IAM role anywhere. So, as Identity
Center does on an account assignment, the seeder creates in each assigned account the role
``AWSReservedSSO_<permission set>_<16 hex digits>`` under ``/aws-reserved/sso.amazonaws.com/`` (plus
``<home region>/`` outside us-east-1), trusting the account's ``AWSSSO_..._DO_NOT_DELETE`` SAML provider, with
the permission set's policies: AWS-managed and customer-managed attachments, the inline policy as
``AwsSSOInlinePolicy``, the permissions boundary. Customer-managed policies a permission set references are
created in every assigned account first, as Identity Center requires.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from local_aws.seed.concurrency import map_all, run_all
from local_aws.seed.iam import create_customer_policy, policy_document
from local_aws.seed.sessions import AccountSession
from local_aws.seed.specs import IdentityCenterSpec, PermissionSetSpec
from local_aws.seed.truth import (
    ApplicationIssuerTruth,
    ApplicationTruth,
    AssignmentTruth,
    IamTruth,
    IdentityCenterTruth,
    IdentityStoreGroupTruth,
    IdentityStoreUserTruth,
    InlinePolicy,
    PermissionSetTruth,
    PolicyAttachment,
    ProvisionedRoleTruth,
    RoleTruth,
)

SSO_ROLE_PREFIX = "AWSReservedSSO_"
SSO_INLINE_POLICY_NAME = "AwsSSOInlinePolicy"
SAML_AUDIENCE = "https://signin.aws.amazon.com/saml"
_DURATION_RE = re.compile(r"^PT(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?$")


def sso_role_path(home_region: str) -> str:
    """Where Identity Center puts its roles: the home region appears in the path except for us-east-1."""
    return "/aws-reserved/sso.amazonaws.com/" + ("" if home_region == "us-east-1" else f"{home_region}/")


def session_seconds(duration: str) -> int:
    match = _DURATION_RE.fullmatch(duration)
    if not match or not (match["h"] or match["m"]):
        raise ValueError(f"session_duration: got {duration!r}; expected an ISO 8601 duration such as PT8H")
    return int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60


@dataclass(frozen=True)
class _Provisioned:
    role: ProvisionedRoleTruth
    iam: IamTruth


def seed_identity_center(
    management: AccountSession,
    spec: IdentityCenterSpec,
    accounts: Mapping[str, AccountSession],
) -> tuple[IdentityCenterTruth, tuple[IamTruth, ...]]:
    """Identity Center in the management account, with assignments over ``accounts`` (sessions by ID).

    Returns the Identity Center truth and, per account that received a permission set, the IAM it gained
    (the AWSReservedSSO_ roles and the customer-managed policies they reference).
    """
    sso = management.client("sso-admin", spec.home_region)
    store = management.client("identitystore", spec.home_region)
    instance = sso.list_instances()["Instances"][0]
    instance_arn, store_id = instance["InstanceArn"], instance["IdentityStoreId"]

    users = map_all(partial(_create_user, store, store_id), spec.users)
    groups = map_all(partial(_create_group, store, store_id), spec.groups)
    memberships = _memberships(users, groups)
    run_all(
        partial(store.create_group_membership, IdentityStoreId=store_id, GroupId=g, MemberId={"UserId": u})
        for g, u in memberships
    )
    permission_sets = [
        _create_permission_set(sso, instance_arn, ps, i) for i, ps in enumerate(spec.permission_sets)
    ]

    assignments: list[AssignmentTruth] = []
    members = [a for a in accounts if a != management.account_id]
    for i, group in enumerate(groups):
        ps = permission_sets[i % len(permission_sets)]
        assignments += [AssignmentTruth(ps.arn, account, "GROUP", group.group_id) for account in members]
    if users:
        first = AssignmentTruth(permission_sets[0].arn, management.account_id, "USER", users[0].user_id)
        assignments.append(first)
    map_all(partial(_assign, sso, instance_arn), assignments)

    by_arn = {ps.arn: (ps, spec.permission_sets[i]) for i, ps in enumerate(permission_sets)}
    pairs = sorted({(a.permission_set_arn, a.account_id) for a in assignments})
    sessions = {**accounts, management.account_id: management}
    provisioned = _provision(pairs, by_arn, sessions, spec.home_region)
    fragments: dict[str, IamTruth] = {}
    for item in provisioned:
        account = item.role.account_id
        fragments[account] = fragments[account].plus(item.iam) if account in fragments else item.iam

    applications = [
        _create_application(sso, instance_arn, name, i, users=users, groups=groups)
        for i, name in enumerate(spec.applications)
    ]
    issuers = [
        ApplicationIssuerTruth(
            sso.create_trusted_token_issuer(
                InstanceArn=instance_arn,
                Name=name,
                TrustedTokenIssuerType="OIDC_JWT",
                TrustedTokenIssuerConfiguration={
                    "OidcJwtConfiguration": {
                        "IssuerUrl": f"https://{name}.idp.example.com",
                        "ClaimAttributePath": "email",
                        "IdentityStoreAttributePath": "emails.value",
                        "JwksRetrievalOption": "OPEN_ID_DISCOVERY",
                    }
                },
            )["TrustedTokenIssuerArn"],
            name,
            f"https://{name}.idp.example.com",
        )
        for name in spec.trusted_token_issuers
    ]

    truth = IdentityCenterTruth(
        instance_arn=instance_arn,
        identity_store_id=store_id,
        home_region=spec.home_region,
        management_account_id=management.account_id,
        users=tuple(sorted(users, key=lambda u: u.user_name)),
        groups=tuple(sorted(groups, key=lambda g: g.display_name)),
        memberships=tuple(sorted(memberships)),
        permission_sets=tuple(sorted(permission_sets, key=lambda p: p.name)),
        assignments=tuple(sorted(assignments, key=_assignment_key)),
        provisioned_roles=tuple(sorted((p.role for p in provisioned), key=_role_key)),
        applications=tuple(sorted(applications, key=lambda a: a.name)),
        trusted_token_issuers=tuple(sorted(issuers, key=lambda i: i.name)),
    )
    return truth, tuple(fragments[a] for a in sorted(fragments))


CUSTOM_APPLICATION_PROVIDER = "arn:aws:sso::aws:applicationProvider/custom"


def _create_application(
    sso: Any,
    instance_arn: str,
    name: str,
    index: int,
    *,
    users: Sequence[IdentityStoreUserTruth],
    groups: Sequence[IdentityStoreGroupTruth],
) -> ApplicationTruth:
    """A customer-managed application. The first needs an assignment and gets the first group and the first
    user; the others admit everyone (no assignment required) and get the next group only."""
    arn = sso.create_application(
        InstanceArn=instance_arn, ApplicationProviderArn=CUSTOM_APPLICATION_PROVIDER, Name=name
    )["ApplicationArn"]
    required = index == 0
    sso.put_application_assignment_configuration(ApplicationArn=arn, AssignmentRequired=required)
    chosen: list[tuple[str, str]] = []
    if groups:
        chosen.append(("GROUP", groups[index % len(groups)].group_id))
    if required and users:
        chosen.append(("USER", users[0].user_id))
    for kind, principal in chosen:
        sso.create_application_assignment(ApplicationArn=arn, PrincipalType=kind, PrincipalId=principal)
    return ApplicationTruth(arn, name, required, tuple(sorted(chosen)))


def _assignment_key(a: AssignmentTruth) -> tuple[str, str, str]:
    return (a.permission_set_arn, a.account_id, a.principal_id)


def _role_key(r: ProvisionedRoleTruth) -> tuple[str, str]:
    return (r.account_id, r.role_name)


def _memberships(
    users: list[IdentityStoreUserTruth], groups: list[IdentityStoreGroupTruth]
) -> list[tuple[str, str]]:
    """User i joins group i % G; the first user joins every group."""
    pairs = {(groups[i % len(groups)].group_id, u.user_id) for i, u in enumerate(users)}
    if users:
        pairs |= {(g.group_id, users[0].user_id) for g in groups}
    return sorted(pairs)


def _create_user(store: Any, store_id: str, name: str) -> IdentityStoreUserTruth:
    given = name.split("-", maxsplit=1)[0].capitalize()
    user_id = store.create_user(
        IdentityStoreId=store_id,
        UserName=name,
        DisplayName=f"{given} Example",
        Name={"GivenName": given, "FamilyName": "Example"},
        Emails=[{"Value": f"{name}@example.com", "Type": "work", "Primary": True}],
    )["UserId"]
    return IdentityStoreUserTruth(user_id, name)


def _create_group(store: Any, store_id: str, name: str) -> IdentityStoreGroupTruth:
    group_id = store.create_group(IdentityStoreId=store_id, DisplayName=name, Description=f"{name} team")[
        "GroupId"
    ]
    return IdentityStoreGroupTruth(group_id, name)


def _boundary_request(boundary: str | tuple[str, str]) -> dict[str, Any]:
    if isinstance(boundary, str):
        return {"ManagedPolicyArn": boundary}
    name, path = boundary
    return {"CustomerManagedPolicyReference": {"Name": name, "Path": path}}


def _boundary_truth(boundary: str | tuple[str, str] | None) -> str | None:
    if boundary is None or isinstance(boundary, str):
        return boundary
    return boundary[1] + boundary[0]


def _create_permission_set(
    sso: Any, instance_arn: str, spec: PermissionSetSpec, index: int
) -> PermissionSetTruth:
    session_seconds(spec.session_duration)  # fails early on a bad duration
    arn = sso.create_permission_set(
        InstanceArn=instance_arn,
        Name=spec.name,
        Description=f"{spec.name} access",
        SessionDuration=spec.session_duration,
    )["PermissionSet"]["PermissionSetArn"]
    ids = {"InstanceArn": instance_arn, "PermissionSetArn": arn}
    for policy in spec.aws_managed_policies:
        sso.attach_managed_policy_to_permission_set(**ids, ManagedPolicyArn=policy)
    for name, path in spec.customer_managed_policies:
        sso.attach_customer_managed_policy_reference_to_permission_set(
            **ids, CustomerManagedPolicyReference={"Name": name, "Path": path}
        )
    if spec.inline_policy:
        sso.put_inline_policy_to_permission_set(**ids, InlinePolicy=policy_document(index + 2))
    if spec.permissions_boundary is not None:
        sso.put_permissions_boundary_to_permission_set(
            **ids, PermissionsBoundary=_boundary_request(spec.permissions_boundary)
        )
    return PermissionSetTruth(
        name=spec.name,
        arn=arn,
        aws_managed_policies=tuple(sorted(spec.aws_managed_policies)),
        customer_managed_policies=tuple(sorted(spec.customer_managed_policies)),
        inline_policy=spec.inline_policy,
        permissions_boundary=_boundary_truth(spec.permissions_boundary),
        session_duration=spec.session_duration,
    )


def _assign(sso: Any, instance_arn: str, assignment: AssignmentTruth) -> None:
    status = sso.create_account_assignment(
        InstanceArn=instance_arn,
        TargetId=assignment.account_id,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=assignment.permission_set_arn,
        PrincipalType=assignment.principal_type,
        PrincipalId=assignment.principal_id,
    )["AccountAssignmentCreationStatus"]
    if status.get("Status") == "FAILED":
        raise RuntimeError(f"account assignment failed: {status}")


def _provision(
    pairs: list[tuple[str, str]],
    permission_sets: Mapping[str, tuple[PermissionSetTruth, PermissionSetSpec]],
    sessions: Mapping[str, AccountSession],
    home_region: str,
) -> list[_Provisioned]:
    provider_suffix = {account: secrets.token_hex(8) for account in {a for _, a in pairs}}
    needed = sorted(
        {
            (account, name, path)
            for arn, account in pairs
            for name, path in _customer_policies(permission_sets[arn][1])
        }
    )
    created = run_all(partial(create_customer_policy, sessions[a], n, p) for a, n, p in needed)
    policy_arns = dict(zip(needed, created, strict=True))
    return run_all(
        partial(
            _create_sso_role,
            sessions[account],
            permission_sets[arn],
            provider_suffix=provider_suffix[account],
            home_region=home_region,
            policy_arns=policy_arns,
        )
        for arn, account in pairs
    )


def _customer_policies(spec: PermissionSetSpec) -> list[tuple[str, str]]:
    boundary = spec.permissions_boundary
    return [*spec.customer_managed_policies, *([boundary] if isinstance(boundary, tuple) else [])]


def _create_sso_role(
    account: AccountSession,
    permission_set: tuple[PermissionSetTruth, PermissionSetSpec],
    *,
    provider_suffix: str,
    home_region: str,
    policy_arns: Mapping[tuple[str, str, str], str],
) -> _Provisioned:
    truth, spec = permission_set
    acct = account.account_id
    iam = account.client("iam")
    provider = f"arn:aws:iam::{acct}:saml-provider/AWSSSO_{provider_suffix}_DO_NOT_DELETE"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": SAML_AUDIENCE}},
            }
        ],
    }
    name = f"{SSO_ROLE_PREFIX}{spec.name}_{secrets.token_hex(8)}"
    role = iam.create_role(
        RoleName=name,
        Path=sso_role_path(home_region),
        AssumeRolePolicyDocument=json.dumps(trust),
        MaxSessionDuration=session_seconds(spec.session_duration),
        Description="Identity Center managed role",
    )["Role"]
    attached = [
        *spec.aws_managed_policies,
        *(policy_arns[(acct, n, p)] for n, p in spec.customer_managed_policies),
    ]
    for arn in attached:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    inline: list[InlinePolicy] = []
    if spec.inline_policy:
        iam.put_role_policy(
            RoleName=name, PolicyName=SSO_INLINE_POLICY_NAME, PolicyDocument=policy_document(2)
        )
        inline.append(InlinePolicy("role", name, SSO_INLINE_POLICY_NAME))
    boundary: str | None = None
    if isinstance(spec.permissions_boundary, str):
        boundary = spec.permissions_boundary
    elif spec.permissions_boundary is not None:
        boundary = policy_arns[(acct, *spec.permissions_boundary)]
    if boundary:
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
    customer_arns = [policy_arns[(acct, n, p)] for n, p in _customer_policies(spec)]
    return _Provisioned(
        role=ProvisionedRoleTruth(truth.arn, truth.name, acct, name, role["Arn"]),
        iam=IamTruth(
            account_id=acct,
            roles=(RoleTruth(name, role["Arn"], role["Path"], (provider,), boundary),),
            customer_managed_policies=tuple(sorted(customer_arns)),
            attachments=tuple(PolicyAttachment("role", name, arn) for arn in sorted(attached)),
            inline_policies=tuple(inline),
        ),
    )
