"""IAM inventory: users, groups, roles, policies, access keys (one account, global service)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from collector.errors import error_code
from collector.fetch import FetchContext, Fetcher, Placement
from collector.models import Record
from collector.parsing import document, iso
from collector.services.iam import parse
from collector.services.iam.catalog import PERMISSIONS
from collector.services.iam.records import (
    AccessKey,
    AccountInfo,
    AccountSummary,
    AwsManagedPolicy,
    Group,
    GroupMembership,
    InlinePolicy,
    InstanceProfile,
    OidcProvider,
    PasswordPolicy,
    Policy,
    PolicyAttachment,
    Role,
    SamlProvider,
    User,
    UserCredentials,
    VirtualMfaDevice,
)

ALL_FILTERS = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]
PAGE_SIZE = 1000  # GetAccountAuthorizationDetails' maximum (the default is 100)
MFA_PAGE_SIZE = 1000  # ListVirtualMFADevices' maximum (the default is 100)
# A report younger than this is reused: IAM regenerates one at most every 4 hours anyway.
REPORT_MAX_AGE = timedelta(hours=4)
REPORT_WAIT_SECONDS = 300.0
_NOT_READY = frozenset({"ReportNotPresent", "ReportExpired", "ReportInProgress"})


def collect(ctx: FetchContext) -> Iterator[Record]:
    """One account's IAM inventory in few calls: the credential report is started first and read last,
    so its generation overlaps the paging of the authorization details."""
    iam = ctx.client("iam")
    account_id = ctx.account.account_id

    aliases: list[str] = []
    with ctx.part("account_alias"):
        aliases = iam.list_account_aliases()["AccountAliases"]
    yield AccountInfo(account_id=account_id, id=account_id, alias=aliases[0] if aliases else None)

    report: tuple[bytes, datetime] | None = None
    report_started = False
    with ctx.part("credential_report"):
        report = _fresh_report(iam, ctx)
        if report is None:
            iam.generate_credential_report()
            report_started = True

    pages = list(
        iam.get_paginator("get_account_authorization_details").paginate(
            Filter=ALL_FILTERS, PaginationConfig={"PageSize": PAGE_SIZE}
        )
    )
    details = parse.parse_authorization_details(account_id, pages)
    del pages
    for record in details.records:
        if isinstance(record, AwsManagedPolicy):
            # One document object per (policy, version) for the whole run, shared across accounts.
            ctx.cache.put(("aws-policy-document", record.arn, record.default_version_id), record.document)
    yield from details.records

    with ctx.part("policy_backfill"):
        yield from _backfill(iam, ctx, parse.missing_policies(details))

    rows: tuple[parse.ReportRow, ...] | None = None
    with ctx.part("credential_report"):
        if report is None and report_started:
            report = _wait_for_report(iam, ctx)
        if report is not None:
            rows = parse.parse_credential_report(report[0])
            yield from parse.user_credentials(account_id, rows, iso(report[1]))

    with ctx.part("access_keys"):
        users = [r for r in details.records if isinstance(r, User)]
        # A reused report may predate keys of users created since; a report generated now does not.
        since = None if report is None or report_started else report[1]
        yield from _access_keys(iam, users, rows, since)

    yield from _account_settings(iam, ctx)


def _account_settings(iam: Any, ctx: FetchContext) -> Iterator[Record]:
    """Federation providers, virtual MFA devices, the password policy and the account summary: a few calls
    per account (3 lists, 2 gets, and one get per provider), each its own part so a denial keeps the rest."""
    account_id = ctx.account.account_id
    with ctx.part("saml_providers"):
        for listed in iam.list_saml_providers()["SAMLProviderList"]:
            detail = _get_unless_gone(iam.get_saml_provider, SAMLProviderArn=listed["Arn"])
            if detail is not None:
                yield parse.saml_provider(account_id, listed, detail)
    with ctx.part("oidc_providers"):
        for listed in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
            arn = listed["Arn"]
            detail = _get_unless_gone(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)
            if detail is not None:
                yield parse.oidc_provider(account_id, arn, detail)
    with ctx.part("virtual_mfa_devices"):
        pages = iam.get_paginator("list_virtual_mfa_devices").paginate(
            AssignmentStatus="Any", PaginationConfig={"PageSize": MFA_PAGE_SIZE}
        )
        for page in pages:  # page by page: a fault on a later page keeps the earlier ones
            yield from parse.virtual_mfa_devices(account_id, page["VirtualMFADevices"])
    with ctx.part("password_policy"):
        yield parse.password_policy(
            account_id, _get_unless_gone(iam.get_account_password_policy, key="PasswordPolicy")
        )
    with ctx.part("account_summary"):
        yield parse.account_summary(account_id, iam.get_account_summary()["SummaryMap"])


def _get_unless_gone(call: Any, *, key: str | None = None, **params: str) -> Any | None:
    """One Get; None when IAM says NoSuchEntity (deleted since listed, or no password policy)."""
    try:
        answer = call(**params)
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return None
        raise
    return answer[key] if key else answer


def _fresh_report(iam: Any, ctx: FetchContext) -> tuple[bytes, datetime] | None:
    try:
        answer = iam.get_credential_report()
    except ClientError as exc:
        if error_code(exc) in _NOT_READY:
            return None
        raise
    generated: datetime = answer["GeneratedTime"]
    age = datetime.fromtimestamp(ctx.clock(), UTC) - generated
    return (answer["Content"], generated) if age <= REPORT_MAX_AGE else None


def _wait_for_report(iam: Any, ctx: FetchContext) -> tuple[bytes, datetime]:
    deadline = ctx.clock() + REPORT_WAIT_SECONDS
    delay = 1.0
    while True:
        try:
            answer = iam.get_credential_report()
            return answer["Content"], answer["GeneratedTime"]
        except ClientError as exc:
            if error_code(exc) not in _NOT_READY or ctx.clock() + delay > deadline:
                raise
        ctx.sleep(delay)
        delay = min(delay * 2, 10.0)


def _backfill(iam: Any, ctx: FetchContext, arns: Sequence[str]) -> Iterator[Record]:
    """Referenced policies absent from the details: GetPolicy, then the default version's document
    (taken from the run cache for AWS-managed policies another account already read)."""
    for arn in arns:
        try:
            policy = iam.get_policy(PolicyArn=arn)["Policy"]
        except ClientError as exc:
            if error_code(exc) == "NoSuchEntity":
                continue  # deleted since it was referenced: nothing to backfill
            raise
        version_id = policy["DefaultVersionId"]
        cache_key = ("aws-policy-document", arn, version_id)
        doc = ctx.cache.get(cache_key) if parse.is_aws_managed(arn) else None
        if doc is None:
            version = iam.get_policy_version(PolicyArn=arn, VersionId=version_id)["PolicyVersion"]
            doc = document(version["Document"])
            if parse.is_aws_managed(arn):
                doc = ctx.cache.put(cache_key, doc)
        yield parse.managed_policy(
            ctx.account.account_id, policy, doc, version_id=version_id, backfilled=True
        )


def _access_keys(
    iam: Any, users: Sequence[User], rows: Sequence[parse.ReportRow] | None, reused_from: datetime | None
) -> Iterator[AccessKey]:
    """ListAccessKeys only for users the report shows with keys (and, when the report was reused, users
    created after it). Without a report, every user is listed: slower, but no key is missed."""
    by_arn = {row.arn: row for row in rows or ()}
    since = iso(reused_from) if reused_from else None
    for user in users:
        row = by_arn.get(user.arn)
        wanted = (
            rows is None
            or (row is not None and row.has_keys)
            or (since is not None and user.create_date > since)
        )
        if not wanted:
            continue
        metadata = [
            key
            for page in iam.get_paginator("list_access_keys").paginate(UserName=user.name)
            for key in page["AccessKeyMetadata"]
        ]
        yield from parse.access_keys(user.account_id, user.arn, metadata, row)


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.GLOBAL,
    kinds=(
        AccountInfo,
        User,
        Group,
        GroupMembership,
        Role,
        InstanceProfile,
        Policy,
        AwsManagedPolicy,
        InlinePolicy,
        PolicyAttachment,
        AccessKey,
        UserCredentials,
        SamlProvider,
        OidcProvider,
        VirtualMfaDevice,
        PasswordPolicy,
        AccountSummary,
    ),
    collect=collect,
)
