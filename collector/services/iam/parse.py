"""IAM responses to records: GetAccountAuthorizationDetails pages, policies, the credential report, keys."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from collector.models import Record
from collector.parsing import document, iso, iso_or_none, tags
from collector.services.iam import saml_metadata
from collector.services.iam.records import (
    AccessKey,
    AccountSummary,
    AttachmentKind,
    AwsManagedPolicy,
    Group,
    GroupMembership,
    InlinePolicy,
    InstanceProfile,
    OidcProvider,
    PasswordPolicy,
    Policy,
    PolicyAttachment,
    PrincipalKind,
    Role,
    SamlProvider,
    User,
    UserCredentials,
    VirtualMfaDevice,
)

Item = Mapping[str, Any]


def is_aws_managed(policy_arn: str) -> bool:
    return policy_arn.split(":")[4] == "aws"


@dataclass(frozen=True)
class AuthorizationDetails:
    """Everything one account's GetAccountAuthorizationDetails pages say, as records."""

    records: tuple[Record, ...]
    policy_arns: frozenset[str]  # managed policies that came with the details
    referenced_arns: frozenset[str]  # managed policies attached to or bounding someone


def _default_document(policy: Item) -> tuple[str, Any]:
    version_id = policy["DefaultVersionId"]
    for version in policy.get("PolicyVersionList") or ():
        if version.get("IsDefaultVersion") or version.get("VersionId") == version_id:
            return version_id, document(version["Document"])
    raise KeyError(f"{policy['Arn']}: the default version {version_id} is not in PolicyVersionList")


def managed_policy(
    account_id: str, policy: Item, doc: Any, *, version_id: str, backfilled: bool = False
) -> Policy | AwsManagedPolicy:
    """A managed policy record from a GAAD ``Policies`` entry or GetPolicy's ``Policy``, with its document."""
    arn = policy["Arn"]
    cls = AwsManagedPolicy if is_aws_managed(arn) else Policy
    return cls(
        account_id=account_id,
        arn=arn,
        # A policy ARN ends with its name, so this is exact (moto's details omit PolicyName and PolicyId).
        name=policy.get("PolicyName") or arn.rsplit("/", 1)[-1],
        policy_id=policy.get("PolicyId"),
        path=policy.get("Path", "/"),
        default_version_id=version_id,
        document=doc,
        attachment_count=policy.get("AttachmentCount"),
        permissions_boundary_usage_count=policy.get("PermissionsBoundaryUsageCount"),
        is_attachable=policy.get("IsAttachable"),
        create_date=iso_or_none(policy.get("CreateDate")),
        update_date=iso_or_none(policy.get("UpdateDate")),
        backfilled=backfilled,
        raw=policy,
    )


def _inline(
    account_id: str, kind: PrincipalKind, arn: str, name: str, items: Iterable[Item]
) -> Iterator[Record]:
    for item in items:
        yield InlinePolicy(
            account_id=account_id,
            principal_kind=kind.value,
            principal_arn=arn,
            principal_name=name,
            name=item["PolicyName"],
            document=document(item["PolicyDocument"]),
            raw=item,
        )


def _attachments(account_id: str, kind: PrincipalKind, arn: str, entity: Item) -> Iterator[PolicyAttachment]:
    for attached in entity.get("AttachedManagedPolicies") or ():
        yield PolicyAttachment(
            account_id=account_id,
            principal_kind=kind.value,
            principal_arn=arn,
            policy_arn=attached["PolicyArn"],
            attachment=AttachmentKind.ATTACHED.value,
        )
    boundary = entity.get("PermissionsBoundary")
    if boundary:
        yield PolicyAttachment(
            account_id=account_id,
            principal_kind=kind.value,
            principal_arn=arn,
            policy_arn=boundary["PermissionsBoundaryArn"],
            attachment=AttachmentKind.PERMISSIONS_BOUNDARY.value,
        )


def _boundary_arn(entity: Item) -> str | None:
    boundary = entity.get("PermissionsBoundary")
    return boundary["PermissionsBoundaryArn"] if boundary else None


def _group_arn(account_id: str, name: str, partition: str) -> str:
    # Only used if a user names a group that the details did not list (created while paging).
    return f"arn:{partition}:iam::{account_id}:group/{name}"


def parse_authorization_details(account_id: str, pages: Sequence[Item]) -> AuthorizationDetails:
    """Records from every page of GetAccountAuthorizationDetails (all filters) of one account."""
    records: list[Record] = []
    groups_by_name: dict[str, str] = {}
    for page in pages:
        for group in page.get("GroupDetailList") or ():
            groups_by_name[group["GroupName"]] = group["Arn"]

    policy_arns: set[str] = set()
    for page in pages:
        for user in page.get("UserDetailList") or ():
            arn, name = user["Arn"], user["UserName"]
            records.append(
                User(
                    account_id=account_id,
                    arn=arn,
                    name=name,
                    user_id=user["UserId"],
                    path=user["Path"],
                    create_date=iso(user["CreateDate"]),
                    permissions_boundary_arn=_boundary_arn(user),
                    tags=tags(user.get("Tags")),
                    raw=user,
                )
            )
            partition = arn.split(":")[1]
            for group_name in user.get("GroupList") or ():
                records.append(
                    GroupMembership(
                        account_id=account_id,
                        group_arn=groups_by_name.get(group_name)
                        or _group_arn(account_id, group_name, partition),
                        group_name=group_name,
                        user_arn=arn,
                        user_name=name,
                    )
                )
            records.extend(
                _inline(account_id, PrincipalKind.USER, arn, name, user.get("UserPolicyList") or ())
            )
            records.extend(_attachments(account_id, PrincipalKind.USER, arn, user))

        for group in page.get("GroupDetailList") or ():
            arn, name = group["Arn"], group["GroupName"]
            records.append(
                Group(
                    account_id=account_id,
                    arn=arn,
                    name=name,
                    group_id=group["GroupId"],
                    path=group["Path"],
                    create_date=iso(group["CreateDate"]),
                    raw=group,
                )
            )
            records.extend(
                _inline(account_id, PrincipalKind.GROUP, arn, name, group.get("GroupPolicyList") or ())
            )
            records.extend(_attachments(account_id, PrincipalKind.GROUP, arn, group))

        for role in page.get("RoleDetailList") or ():
            arn, name = role["Arn"], role["RoleName"]
            last_used = role.get("RoleLastUsed") or {}
            records.append(
                Role(
                    account_id=account_id,
                    arn=arn,
                    name=name,
                    role_id=role["RoleId"],
                    path=role["Path"],
                    create_date=iso(role["CreateDate"]),
                    trust_policy=document(role["AssumeRolePolicyDocument"]),
                    permissions_boundary_arn=_boundary_arn(role),
                    last_used_date=iso_or_none(last_used.get("LastUsedDate")),
                    last_used_region=last_used.get("Region"),
                    tags=tags(role.get("Tags")),
                    raw=role,
                )
            )
            for profile in role.get("InstanceProfileList") or ():
                records.append(
                    InstanceProfile(
                        account_id=account_id,
                        arn=profile["Arn"],
                        name=profile["InstanceProfileName"],
                        path=profile["Path"],
                        role_arns=[r["Arn"] for r in profile.get("Roles") or ()],
                        raw=profile,
                    )
                )
            records.extend(
                _inline(account_id, PrincipalKind.ROLE, arn, name, role.get("RolePolicyList") or ())
            )
            records.extend(_attachments(account_id, PrincipalKind.ROLE, arn, role))

        for policy in page.get("Policies") or ():
            version_id, doc = _default_document(policy)
            records.append(managed_policy(account_id, policy, doc, version_id=version_id))
            policy_arns.add(policy["Arn"])

    referenced = {r.policy_arn for r in records if isinstance(r, PolicyAttachment)}
    return AuthorizationDetails(tuple(records), frozenset(policy_arns), frozenset(referenced))


def missing_policies(details: AuthorizationDetails) -> tuple[str, ...]:
    """Referenced managed policies the details did not carry (e.g. used only as a permissions boundary)."""
    return tuple(sorted(details.referenced_arns - details.policy_arns))


# --- credential report ----------------------------------------------------------------------------------

_NO_VALUE = frozenset({"N/A", "no_information", "not_supported", ""})
ROOT_USER = "<root_account>"


@dataclass(frozen=True)
class KeySlot:
    """One of the two access key columns of the credential report (it names no key ID)."""

    active: bool
    last_rotated: str
    last_used_date: str | None
    last_used_region: str | None
    last_used_service: str | None


@dataclass(frozen=True)
class ReportRow:
    user: str
    arn: str
    password_enabled: bool | None
    password_last_used: str | None
    password_last_changed: str | None
    mfa_active: bool | None
    keys: tuple[KeySlot, ...]  # only the slots that hold a key

    @property
    def has_keys(self) -> bool:
        return bool(self.keys)


def _value(row: Mapping[str, str], column: str) -> str | None:
    value = row.get(column)
    return None if value is None or value in _NO_VALUE else value


def _flag(row: Mapping[str, str], column: str) -> bool | None:
    value = _value(row, column)
    return None if value is None else value.lower() == "true"


def parse_credential_report(content: bytes | str) -> tuple[ReportRow, ...]:
    """Rows of the credential report CSV (the root account's row included, named ``<root_account>``)."""
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    rows: list[ReportRow] = []
    for row in csv.DictReader(io.StringIO(text)):
        slots = []
        for n in (1, 2):
            rotated = _value(row, f"access_key_{n}_last_rotated")
            if rotated is None:
                continue  # no key in this slot
            slots.append(
                KeySlot(
                    active=bool(_flag(row, f"access_key_{n}_active")),
                    last_rotated=rotated,
                    last_used_date=_value(row, f"access_key_{n}_last_used_date"),
                    last_used_region=_value(row, f"access_key_{n}_last_used_region"),
                    last_used_service=_value(row, f"access_key_{n}_last_used_service"),
                )
            )
        rows.append(
            ReportRow(
                user=row["user"],
                arn=row["arn"],
                password_enabled=_flag(row, "password_enabled"),
                password_last_used=_value(row, "password_last_used"),
                password_last_changed=_value(row, "password_last_changed"),
                mfa_active=_flag(row, "mfa_active"),
                keys=tuple(slots),
            )
        )
    return tuple(rows)


def user_credentials(
    account_id: str, rows: Iterable[ReportRow], generated: str
) -> tuple[UserCredentials, ...]:
    return tuple(
        UserCredentials(
            account_id=account_id,
            user_arn=row.arn,
            user_name=row.user,
            password_enabled=row.password_enabled,
            password_last_used=row.password_last_used,
            password_last_changed=row.password_last_changed,
            mfa_active=row.mfa_active,
            report_generated=generated,
        )
        for row in rows
        if row.user != ROOT_USER
    )


def _same_second(a: str, b: str) -> bool:
    return a[:19] == b[:19]


def access_keys(
    account_id: str, user_arn: str, metadata: Sequence[Item], row: ReportRow | None
) -> tuple[AccessKey, ...]:
    """ListAccessKeys metadata joined with the report's last use.

    The report names no key ID: a key matches the slot whose last rotation is its creation time; any left
    over are paired in creation order (slot 1 is the older key).
    """
    slots = list(row.keys) if row else []
    ordered = sorted(metadata, key=lambda m: iso(m["CreateDate"]))
    matched: dict[str, KeySlot] = {}
    for key in ordered:
        created = iso(key["CreateDate"])
        for slot in slots:
            if _same_second(slot.last_rotated, created):
                matched[key["AccessKeyId"]] = slot
                slots.remove(slot)
                break
    for key in ordered:
        if key["AccessKeyId"] not in matched and slots:
            matched[key["AccessKeyId"]] = slots.pop(0)
    result = []
    for key in ordered:
        found = matched.get(key["AccessKeyId"])
        result.append(
            AccessKey(
                account_id=account_id,
                access_key_id=key["AccessKeyId"],
                user_name=key["UserName"],
                user_arn=user_arn,
                status=key["Status"],
                create_date=iso(key["CreateDate"]),
                last_used_date=found.last_used_date if found else None,
                last_used_region=found.last_used_region if found else None,
                last_used_service=found.last_used_service if found else None,
                raw=key,
            )
        )
    return tuple(result)


# --- federation, MFA and account settings ------------------------------------------------------------------


def saml_provider(account_id: str, listed: Item, detail: Item) -> SamlProvider:
    """ListSAMLProviders' entry and GetSAMLProvider's answer; unreadable metadata is recorded, not fatal."""
    arn = listed["Arn"]
    metadata: saml_metadata.SamlMetadata | None = None
    error: str | None = None
    text = detail.get("SAMLMetadataDocument")
    if text:
        try:
            metadata = saml_metadata.parse_metadata(text)
        except saml_metadata.MetadataError as exc:
            error = str(exc)
    else:
        error = "GetSAMLProvider returned no metadata document"
    expiries = list(metadata.certificate_expiries) if metadata else None
    return SamlProvider(
        account_id=account_id,
        arn=arn,
        name=arn.rsplit("/", 1)[-1],
        create_date=iso_or_none(detail.get("CreateDate") or listed.get("CreateDate")),
        valid_until=iso_or_none(detail.get("ValidUntil") or listed.get("ValidUntil")),
        entity_id=metadata.entity_id if metadata else None,
        sso_urls=list(metadata.sso_urls) if metadata else None,
        certificate_expiries=expiries,
        earliest_certificate_expiry=expiries[0] if expiries else None,
        metadata_error=error,
        tags=tags(detail.get("Tags")),
        # The document itself is kept (public metadata); private keys, if any, never are.
        raw={k: v for k, v in detail.items() if k not in ("ResponseMetadata", "PrivateKeyList")},
    )


def oidc_provider(account_id: str, arn: str, detail: Item) -> OidcProvider:
    return OidcProvider(
        account_id=account_id,
        arn=arn,
        url=detail["Url"],
        client_ids=list(detail.get("ClientIDList") or ()),
        thumbprints=list(detail.get("ThumbprintList") or ()),
        create_date=iso_or_none(detail.get("CreateDate")),
        tags=tags(detail.get("Tags")),
        raw={k: v for k, v in detail.items() if k != "ResponseMetadata"},
    )


# A virtual MFA device's seed and QR code are the second factor itself: never recorded, not even in raw.
_MFA_SECRETS = frozenset({"Base32StringSeed", "QRCodePNG"})


def virtual_mfa_devices(account_id: str, devices: Iterable[Item]) -> tuple[VirtualMfaDevice, ...]:
    records = []
    for device in devices:
        user = device.get("User") or {}
        safe = {k: v for k, v in device.items() if k not in _MFA_SECRETS}
        records.append(
            VirtualMfaDevice(
                account_id=account_id,
                serial_number=device["SerialNumber"],
                user_arn=user.get("Arn"),
                user_name=user.get("UserName"),
                enable_date=iso_or_none(device.get("EnableDate")),
                tags=tags(device.get("Tags")),
                raw=safe,
            )
        )
    return tuple(records)


def password_policy(account_id: str, policy: Item | None) -> PasswordPolicy:
    """The account's password policy; ``None`` (GetAccountPasswordPolicy said NoSuchEntity): no policy."""
    if policy is None:
        return PasswordPolicy(account_id=account_id, account=account_id, exists=False)
    return PasswordPolicy(
        account_id=account_id,
        account=account_id,
        exists=True,
        minimum_password_length=policy.get("MinimumPasswordLength"),
        require_symbols=policy.get("RequireSymbols"),
        require_numbers=policy.get("RequireNumbers"),
        require_uppercase_characters=policy.get("RequireUppercaseCharacters"),
        require_lowercase_characters=policy.get("RequireLowercaseCharacters"),
        allow_users_to_change_password=policy.get("AllowUsersToChangePassword"),
        expire_passwords=policy.get("ExpirePasswords"),
        max_password_age=policy.get("MaxPasswordAge"),
        password_reuse_prevention=policy.get("PasswordReusePrevention"),
        hard_expiry=policy.get("HardExpiry"),
        raw=dict(policy),
    )


def _flag_of(summary: Mapping[str, int], name: str) -> bool | None:
    value = summary.get(name)
    return None if value is None else bool(value)


def account_summary(account_id: str, summary: Mapping[str, int]) -> AccountSummary:
    return AccountSummary(
        account_id=account_id,
        account=account_id,
        root_mfa_enabled=_flag_of(summary, "AccountMFAEnabled"),
        root_access_keys_present=_flag_of(summary, "AccountAccessKeysPresent"),
        root_signing_certificates_present=_flag_of(summary, "AccountSigningCertificatesPresent"),
        summary=dict(summary),
    )
