"""A synthetic IAM account served in-process at botocore's boundary, with AWS's real paging rules.

moto answers GetAccountAuthorizationDetails in one page whatever MaxItems says, so it cannot show how many
calls a collector makes against AWS. This fake honours MaxItems/Marker (items counted across the four lists,
as AWS does), and answers the other IAM calls the collector makes, for an account of any size. It answers
through a 'before-call' hook, so the collector's own code (sessions, recorder, parsing, the store) runs
unchanged; only HTTP, XML parsing and the pacing of HTTP attempts are skipped.
"""

from __future__ import annotations

import json
import math
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

ACCOUNT = "210987654321"
CREATED = datetime(2024, 1, 1, tzinfo=UTC)
DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
PAGE = 1000  # GetAccountAuthorizationDetails' MaxItems ceiling
# IAM sends policy documents URL-encoded; botocore decodes them (in place) after every call.
DOC_TEXT = urllib.parse.quote(json.dumps(DOC))
SAML_METADATA = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com/saml"><md:IDPSSODescriptor protocolSupportEnumeration="x">'
    '<md:SingleSignOnService Binding="x" Location="https://idp.example.com/sso"/>'
    "</md:IDPSSODescriptor></md:EntityDescriptor>"
)
TRUST_TEXT = urllib.parse.quote(json.dumps(TRUST))


def _fresh(item: dict[str, Any]) -> dict[str, Any]:
    """A copy deep enough that botocore's in-place decoding never reaches our templates."""
    return {
        k: [dict(v) if isinstance(v, dict) else v for v in val] if isinstance(val, list) else val
        for k, val in item.items()
    }


@dataclass(frozen=True)
class Shape:
    roles: int
    users: int
    groups: int
    policies: int
    users_with_keys: int
    boundary_only_policies: int = 1  # referenced as a boundary, absent from the details: backfilled
    saml_providers: int = 1
    oidc_providers: int = 1

    @classmethod
    def for_roles(cls, roles: int) -> Shape:
        users = max(1, roles // 5)
        return cls(
            roles=roles,
            users=users,
            groups=max(1, roles // 100),
            policies=max(1, roles // 10),
            users_with_keys=max(1, users // 5),
        )

    @property
    def entities(self) -> int:
        return self.roles + self.users + self.groups + self.policies


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


class SyntheticIam:
    def __init__(self, shape: Shape, latency: float = 0.0) -> None:
        self.shape = shape
        self.latency = latency
        boundary = _arn("policy", "boundary-0")
        self.users = [
            {
                "Path": "/",
                "UserName": f"user-{i}",
                "UserId": f"AIDA{i:017d}",
                "Arn": _arn("user", f"user-{i}"),
                "CreateDate": CREATED,
                "GroupList": [f"group-{i % shape.groups}"],
                "UserPolicyList": [],
                "AttachedManagedPolicies": [],
                "Tags": [],
                **(
                    {
                        "PermissionsBoundary": {
                            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                            "PermissionsBoundaryArn": boundary,
                        }
                    }
                    if i == 0
                    else {}
                ),
            }
            for i in range(shape.users)
        ]
        self.groups = [
            {
                "Path": "/",
                "GroupName": f"group-{i}",
                "GroupId": f"AGPA{i:017d}",
                "Arn": _arn("group", f"group-{i}"),
                "CreateDate": CREATED,
                "GroupPolicyList": [],
                "AttachedManagedPolicies": [],
            }
            for i in range(shape.groups)
        ]
        self.roles = [
            {
                "Path": "/",
                "RoleName": f"role-{i}",
                "RoleId": f"AROA{i:017d}",
                "Arn": _arn("role", f"role-{i}"),
                "CreateDate": CREATED,
                "AssumeRolePolicyDocument": TRUST_TEXT,
                "InstanceProfileList": [],
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": DOC_TEXT}]
                if i % 2 == 0
                else [],
                "AttachedManagedPolicies": [
                    {
                        "PolicyName": f"policy-{i % shape.policies}",
                        "PolicyArn": _arn("policy", f"policy-{i % shape.policies}"),
                    }
                ],
                "Tags": [],
                "RoleLastUsed": {"LastUsedDate": CREATED, "Region": "us-east-1"},
            }
            for i in range(shape.roles)
        ]
        self.policies = [
            {
                "PolicyName": f"policy-{i}",
                "PolicyId": f"ANPA{i:017d}",
                "Arn": _arn("policy", f"policy-{i}"),
                "Path": "/",
                "DefaultVersionId": "v1",
                "AttachmentCount": 1,
                "PermissionsBoundaryUsageCount": 0,
                "IsAttachable": True,
                "CreateDate": CREATED,
                "UpdateDate": CREATED,
                "PolicyVersionList": [
                    {"Document": DOC_TEXT, "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": CREATED}
                ],
            }
            for i in range(shape.policies)
        ]
        self.report_ready = False

    # -- what the minimum is ------------------------------------------------------------------------------

    def minimum_calls(self) -> int:
        """The fewest calls that read this account completely, when it has no credential report yet:
        the alias, every details page, Generate + Get of the report, a key listing per user with keys,
        GetPolicy + GetPolicyVersion per policy absent from the details; then the account settings: the SAML
        and OIDC provider lists and one Get per provider, the virtual MFA device pages (a device per user),
        the password policy and the account summary."""
        s = self.shape
        inventory = 1 + math.ceil(s.entities / PAGE) + 2 + s.users_with_keys + 2 * s.boundary_only_policies
        providers = 2 + s.saml_providers + s.oidc_providers
        return inventory + providers + max(1, math.ceil(s.users / PAGE)) + 2

    def per_entity_calls(self) -> int:
        """What a collector that lists and then describes entity by entity makes (ListUsers/GetUser style):
        per user: groups, inline list, attached list, keys; per role: GetRole, inline list + each inline,
        attached list, instance profiles; per group: GetGroup, inline and attached lists; per policy: the
        default version. Listing pages at 100 items."""
        s = self.shape
        inline_roles = math.ceil(s.roles / 2)
        listings = sum(math.ceil(n / 100) for n in (s.users, s.roles, s.groups, s.policies))
        return listings + 4 * s.users + 4 * s.roles + inline_roles + 3 * s.groups + s.policies + 1

    # -- the botocore hook --------------------------------------------------------------------------------

    def install(self, session: Any) -> None:
        session.register("before-call.iam", self._answer)
        session.register("before-call.sts", self._assume)

    def _assume(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        expires = datetime.fromtimestamp(time.time() + 3600, UTC)
        creds = {
            "AccessKeyId": "ASIASYNTHETIC",
            "SecretAccessKey": "s",
            "SessionToken": "t",
            "Expiration": expires,
        }
        return self._ok({"Credentials": creds})

    @staticmethod
    def _ok(body: dict[str, Any], status: int = 200) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://synthetic.invalid", status, HTTPHeaders(), None), body

    def _answer(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        if self.latency:
            time.sleep(self.latency)
        body = params.get("body") or {}
        op = model.name
        if op == "ListAccountAliases":
            return self._ok({"AccountAliases": ["synthetic"], "IsTruncated": False})
        if op == "GetCredentialReport":
            if not self.report_ready:
                return self._ok({"Error": {"Code": "ReportNotPresent", "Message": "none"}}, 410)
            return self._ok(
                {"Content": self._report(), "ReportFormat": "text/csv", "GeneratedTime": datetime.now(UTC)}
            )
        if op == "GenerateCredentialReport":
            self.report_ready = True
            return self._ok({"State": "COMPLETE"})
        if op == "GetAccountAuthorizationDetails":
            return self._ok(self._details(int(body.get("Marker") or 0), int(body.get("MaxItems") or 100)))
        if op == "ListAccessKeys":
            name = body["UserName"]
            key = {
                "UserName": name,
                "AccessKeyId": f"AKIA{name.upper():0>16}"[:20],
                "Status": "Active",
                "CreateDate": CREATED,
            }
            return self._ok({"AccessKeyMetadata": [key], "IsTruncated": False})
        if op == "GetPolicy":
            arn = body["PolicyArn"]
            return self._ok(
                {
                    "Policy": {
                        "PolicyName": arn.rsplit("/", 1)[-1],
                        "PolicyId": "ANPABOUNDARY000000000",
                        "Arn": arn,
                        "Path": "/",
                        "DefaultVersionId": "v1",
                        "AttachmentCount": 0,
                        "PermissionsBoundaryUsageCount": 1,
                        "IsAttachable": True,
                    }
                }
            )
        if op == "ListSAMLProviders":
            arns = [_arn("saml-provider", f"idp-{i}") for i in range(self.shape.saml_providers)]
            return self._ok({"SAMLProviderList": [{"Arn": a, "CreateDate": CREATED} for a in arns]})
        if op == "GetSAMLProvider":
            return self._ok({"SAMLMetadataDocument": SAML_METADATA, "CreateDate": CREATED})
        if op == "ListOpenIDConnectProviders":
            arns = [_arn("oidc-provider", f"idp-{i}.example.com") for i in range(self.shape.oidc_providers)]
            return self._ok({"OpenIDConnectProviderList": [{"Arn": a} for a in arns]})
        if op == "GetOpenIDConnectProvider":
            url = body["OpenIDConnectProviderArn"].split("oidc-provider/", 1)[1]
            return self._ok({"Url": url, "ClientIDList": ["sts.amazonaws.com"], "ThumbprintList": ["0" * 40]})
        if op == "ListVirtualMFADevices":
            return self._ok(self._mfa_devices(int(body.get("Marker") or 0), int(body.get("MaxItems") or 100)))
        if op == "GetAccountPasswordPolicy":
            return self._ok({"PasswordPolicy": {"MinimumPasswordLength": 14, "RequireSymbols": True}})
        if op == "GetAccountSummary":
            return self._ok({"SummaryMap": {"Users": self.shape.users, "AccountMFAEnabled": 1}})
        if op == "GetPolicyVersion":
            return self._ok(
                {"PolicyVersion": {"Document": DOC_TEXT, "VersionId": "v1", "IsDefaultVersion": True}}
            )
        raise NotImplementedError(op)

    def _mfa_devices(self, offset: int, size: int) -> dict[str, Any]:
        """A virtual MFA device per user, paged by MaxItems/Marker."""
        users = self.users[offset : offset + size]
        devices = [
            {
                "SerialNumber": _arn("mfa", str(u["UserName"])),
                "User": {k: u[k] for k in ("Path", "UserName", "UserId", "Arn", "CreateDate")},
                "EnableDate": CREATED,
            }
            for u in users
        ]
        following = offset + size
        more = following < len(self.users)
        return {
            "VirtualMFADevices": devices,
            "IsTruncated": more,
            **({"Marker": str(following)} if more else {}),
        }

    def _details(self, offset: int, size: int) -> dict[str, Any]:
        lists = (
            ("UserDetailList", self.users),
            ("GroupDetailList", self.groups),
            ("RoleDetailList", self.roles),
            ("Policies", self.policies),
        )
        page: dict[str, Any] = {name: [] for name, _ in lists}
        start, end = offset, offset + size
        base = 0
        for name, items in lists:
            lo, hi = max(start - base, 0), min(end - base, len(items))
            if lo < hi:
                page[name] = [_fresh(item) for item in items[lo:hi]]
            base += len(items)
        page["IsTruncated"] = end < base
        if page["IsTruncated"]:
            page["Marker"] = str(end)
        return page

    def _report(self) -> bytes:
        header = (
            "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
            "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
            "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
            "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
            "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
            "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
        )
        lines = [header]
        for i, user in enumerate(self.users):
            key = (
                "true,2024-01-01T00:00:00+00:00,2024-06-01T00:00:00+00:00,us-east-1,s3"
                if i < self.shape.users_with_keys
                else "false,N/A,N/A,N/A,N/A"
            )
            lines.append(
                f"{user['UserName']},{user['Arn']},2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,"
                f"{key},false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
            )
        return ("\n".join(lines) + "\n").encode()
