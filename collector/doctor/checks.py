"""The checks, with their AWS calls: per account, then (organization method) across the organization.

Per account:
1. ``assume``: the role can be assumed with the customer's ExternalId (after a rotation, whether the role
   still wants the previous one: the customer has not redeployed).
2. ``no-external-id`` / ``wrong-external-id``: the same AssumeRole without an ExternalId and with a fresh
   random one must be refused. Either succeeding means the trust policy is open to the confused deputy:
   critical. (These attempts are what AWS itself decides; an emulator must evaluate trust policies as AWS
   does for them to mean anything: local_aws.emulator.trust_evaluation.)
3. ``trust-policy``: the trust policy read where the role permits it (``iam:GetRole`` is not in the catalog,
   so only where the customer granted it, e.g. with SecurityAudit; otherwise the catalog's
   ``GetAccountAuthorizationDetails``) and analysed (collector.doctor.trust_analysis).
4. ``permissions:<family>``: one probe per catalog action of the features the role should have
   (collector.doctor.probes), naming every missing action.
5. ``identity-center`` (roles that should read it): the instance and its home region found or not.
6. ``trail-logs`` (the role that reads the trail's bucket, when the customer's record names one): its log
   prefix listed and one log file read (one byte of it: authorized, and decrypted, as a whole read is).

Organization method, through the management role: which accounts need a member role (ACTIVE accounts under
the recorded OUs), which do not (the management account, suspended accounts, accounts outside the OUs),
then the member checks above in every account that needs the role.
Nothing here writes anything: AssumeRole and List/Describe/Get calls only.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from collector.aws import GLOBAL_REGION, AccountClients, Sessions, partition_of
from collector.customers.record import new_external_id
from collector.discovery import account_of, role_name_of
from collector.doctor import probes
from collector.doctor.report import ORGANIZATION, Finding, Outcome, Report
from collector.doctor.trust_analysis import analyse, role_document, summary
from collector.errors import DENIED_CODES, error_code
from collector.external_id import ExternalIdMode, for_account
from collector.models import Account
from collector.parsing import document
from collector.permissions import DEFAULT_FEATURES, Feature
from collector.services.cloudtrail.log_files import LOG_FILE_RE
from collector.services.organizations import fetch as org_api
from collector.services.organizations import parse as parse_org

DOCTOR_SESSION = "aws-readonly-collector-doctor"
# The attempts without / with a wrong ExternalId ask for the shortest session AWS allows (credentials that
# should not exist are dropped at once). The role's own session keeps the collector's duration: botocore
# refreshes credentials within 15 minutes of expiry, so a 15-minute session would be renewed on every call.
PROBE_ASSUME_SECONDS = 900


@dataclass(frozen=True)
class Target:
    """One role to check."""

    account_id: str
    role_arn: str
    features: frozenset[Feature]
    kind: str = "role"  # "role", "management role", "member role"


@dataclass(frozen=True)
class OrganizationScope:
    member_role_name: str
    organizational_unit_ids: tuple[str, ...] = ()  # where member roles are expected (empty: everywhere)
    identity_center_account_id: str | None = None  # a delegated Identity Center administrator


@dataclass(frozen=True)
class TrailLogsCheck:
    """The trail's bucket that one account's role should read (the log-archive account's, or the role's)."""

    bucket: str
    prefix: str | None
    account_id: str

    @property
    def logs_root(self) -> str:
        return f"{self.prefix}/AWSLogs/" if self.prefix else "AWSLogs/"


@dataclass(frozen=True)
class DoctorSettings:
    subject: str
    targets: tuple[Target, ...]  # organization: the management role only; members are discovered
    external_id: str
    previous_external_id: str | None = None
    trusted_principal: str | None = None
    external_id_mode: ExternalIdMode = ExternalIdMode.SHARED  # per-account: each role expects ID-account
    organization: OrganizationScope | None = None
    identity_center_region: str | None = None  # None: look for the instance in every enabled region
    region: str | None = None  # where EC2 and CloudTrail are probed (default: the partition's main region)
    profile: str | None = None
    workers: int = 8
    trail_logs: TrailLogsCheck | None = None


def _denied(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and error_code(exc) in DENIED_CODES


def _why(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return f"{error_code(exc)}: {exc.response.get('Error', {}).get('Message', '')}"
    return f"{type(exc).__name__}: {exc}"


def wrong_external_id(*known: str | None) -> str:
    """A fresh random ExternalId that is none of the known ones."""
    while True:
        value = new_external_id()
        if value not in known:
            return value


class Doctor:
    """Runs the checks of one ``DoctorSettings``; every AWS call goes through ``Sessions`` (recorded)."""

    def __init__(
        self,
        settings: DoctorSettings,
        *,
        run_id: str,
        prepare_session: Callable[[botocore.session.Session], None] | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = Sessions(
            external_id=settings.external_id,
            external_id_mode=settings.external_id_mode,
            run_id=run_id,
            profile=settings.profile,
            prepare_session=prepare_session,
        )
        # One STS client per partition, made here: a botocore session must not create clients from several
        # threads, and the checks run on a thread pool (a client itself may be shared).
        base = self.sessions.base_session
        self._sts = {
            partition: base.create_client(
                "sts",
                region_name=base.get_config_variable("region") or GLOBAL_REGION.get(partition, "us-east-1"),
                config=self.sessions.config,
            )
            for partition in {partition_of(t.role_arn) for t in settings.targets}
        }

    # -- assuming the role --

    def _sts_client(self, partition: str) -> Any:
        return self._sts[partition]

    def _assume(self, role_arn: str, external_id: str | None) -> None:
        """AssumeRole with (or without) an ExternalId; raises what STS answers. Credentials are dropped."""
        params: dict[str, Any] = {
            "RoleArn": role_arn,
            "RoleSessionName": DOCTOR_SESSION,
            "DurationSeconds": PROBE_ASSUME_SECONDS,
        }
        if external_id is not None:
            params["ExternalId"] = external_id
        self.sessions.recorder.count(account_of(role_arn), "sts", "AssumeRole")
        self._sts_client(partition_of(role_arn)).assume_role(**params)

    def _clients(self, target: Target) -> AccountClients | Exception:
        """The role's clients, assumed with the customer's ExternalId, or why it failed."""
        try:
            self.sessions.credentials(target.role_arn).get_frozen_credentials()
        except (ClientError, BotoCoreError) as exc:
            return exc
        return self.sessions.for_account(Account(target.account_id, target.role_arn))

    # -- one account --

    def check_account(self, target: Target, *, missing_role_hint: str = "") -> list[Finding]:
        """Every check of one role; without the role's credentials, the trust attempts only."""
        s = self.settings
        clients = self._clients(target)
        findings: list[Finding] = []
        if isinstance(clients, Exception):
            detail = self._assume_failure(target, clients, missing_role_hint)
            findings.append(Finding(target.account_id, "assume", Outcome.PROBLEM, detail))
        else:
            detail = f"assumed {target.role_arn} with the ExternalId"
            findings.append(Finding(target.account_id, "assume", Outcome.OK, detail))
            if s.previous_external_id is not None:
                findings.append(self._previous_refused(target))
        without = self._attempt(target.role_arn, None)
        wrong = self._attempt(target.role_arn, wrong_external_id(s.external_id, s.previous_external_id))
        findings.append(_refusal_finding(target, "no-external-id", without))
        findings.append(_refusal_finding(target, "wrong-external-id", wrong))
        if isinstance(clients, Exception):
            return findings
        findings.append(self._trust_policy(target, clients))
        region = s.region or clients.global_region
        ic_region: str | None = None
        if Feature.IDENTITY_CENTER in target.features:
            ic_region, ic_finding = self._identity_center(target, clients, region)
            findings.append(ic_finding)
        if s.trail_logs is not None and s.trail_logs.account_id == target.account_id:
            findings.append(_trail_logs_finding(target, clients, s.trail_logs, region))
        env = probes.ProbeEnv(clients, target.account_id, partition_of(target.role_arn), region, ic_region)
        for feature in Feature:
            if feature in target.features:
                findings.append(
                    _permissions_finding(target.account_id, feature, probes.probe_family(feature, env))
                )
        return findings

    def _assume_failure(self, target: Target, exc: Exception, hint: str) -> str:
        if not _denied(exc):
            return f"could not assume {target.role_arn}: {_why(exc)}"
        previous = self._previous_for(target)
        if previous is not None and self._attempt(target.role_arn, previous) is None:
            return (
                f"{target.role_arn} still expects the previous ExternalId: the customer has not redeployed "
                "since the rotation (see `customers instructions`)"
            )
        return f"cannot assume {target.role_arn} with the ExternalId ({error_code(exc)}): " + (
            hint or "the role does not exist, trusts another principal, or expects another ExternalId"
        )

    def _previous_for(self, target: Target) -> str | None:
        """The ExternalId the last rotation replaced, as this role would have expected it."""
        previous = self.settings.previous_external_id
        if previous is None:
            return None
        return for_account(previous, target.account_id, self.settings.external_id_mode)

    def _previous_refused(self, target: Target) -> Finding:
        previous = self._previous_for(target)
        assert previous is not None
        failure = self._attempt(target.role_arn, previous)
        if failure is None:
            return Finding(
                target.account_id,
                "previous-external-id",
                Outcome.CRITICAL,
                "the ExternalId replaced by the last rotation is still accepted: the trust policy accepts "
                "more than the current one",
            )
        if _denied(failure):
            return Finding(
                target.account_id,
                "previous-external-id",
                Outcome.OK,
                "the ExternalId replaced by the last rotation is refused: the customer has redeployed",
            )
        return Finding(
            target.account_id, "previous-external-id", Outcome.PROBLEM, f"could not check: {_why(failure)}"
        )

    def _attempt(self, role_arn: str, external_id: str | None) -> Exception | None:
        """None when the role was assumed, else the error."""
        try:
            self._assume(role_arn, external_id)
        except (ClientError, BotoCoreError) as exc:
            return exc
        return None

    def _trust_policy(self, target: Target, clients: AccountClients) -> Finding:
        document, source = self._read_trust(target, clients)
        if document is None:
            return Finding(
                target.account_id,
                "trust-policy",
                Outcome.NOTE,
                f"not readable ({source}): judged by the AssumeRole attempts only",
            )
        expected = for_account(self.settings.external_id, target.account_id, self.settings.external_id_mode)
        analysis = analyse(document, expected, self.settings.trusted_principal)
        if analysis.critical:
            outcome = Outcome.CRITICAL
        elif not analysis.requires_external_id:
            outcome = Outcome.PROBLEM
        else:
            outcome = Outcome.NOTE if analysis.findings else Outcome.OK
        return Finding(
            target.account_id,
            "trust-policy",
            outcome,
            f"{summary(analysis)} (read with {source})",
        )

    @staticmethod
    def _read_trust(target: Target, clients: AccountClients) -> tuple[Any | None, str]:
        """The trust policy document and how it was read, or (None, why not)."""
        iam = clients.client("iam")
        try:
            role = iam.get_role(RoleName=role_name_of(target.role_arn))["Role"]
            return document(role["AssumeRolePolicyDocument"]), "iam:GetRole"
        except ClientError as exc:
            if not _denied(exc):
                return None, f"iam:GetRole: {_why(exc)}"
        try:
            pages = iam.get_paginator("get_account_authorization_details").paginate(
                Filter=["Role"], PaginationConfig={"PageSize": 1000}
            )
            for page in pages:
                found = role_document(page["RoleDetailList"], target.role_arn)
                if found is not None:
                    return document(found), "iam:GetAccountAuthorizationDetails"
        except ClientError as exc:
            if _denied(exc):
                return None, "neither iam:GetRole nor iam:GetAccountAuthorizationDetails is allowed"
            return None, f"iam:GetAccountAuthorizationDetails: {_why(exc)}"
        return None, "the role is not in the account's authorization details"

    def _identity_center(
        self, target: Target, clients: AccountClients, region: str
    ) -> tuple[str | None, Finding]:
        """The region of the Identity Center instance this role should read (recorded, or searched)."""
        recorded = self.settings.identity_center_region
        regions: list[str]
        if recorded is not None:
            regions = [recorded]
        else:
            try:
                listed = clients.client("ec2", region).describe_regions()["Regions"]
            except ClientError as exc:
                return None, Finding(
                    target.account_id,
                    "identity-center",
                    Outcome.PROBLEM,
                    f"cannot list regions to search: {_why(exc)}",
                )
            others = sorted(r["RegionName"] for r in listed if r["RegionName"] != region)
            regions = [region, *others]
        for candidate in regions:
            try:
                instances = clients.client("sso-admin", candidate).list_instances(MaxResults=1)["Instances"]
            except ClientError as exc:
                return None, Finding(
                    target.account_id,
                    "identity-center",
                    Outcome.PROBLEM,
                    f"cannot look in {candidate}: {_why(exc)}",
                )
            if instances:
                found = instances[0]
                where = (
                    "the recorded region"
                    if recorded
                    else f"found by searching; record it: --identity-center-region {candidate}"
                )
                return candidate, Finding(
                    target.account_id,
                    "identity-center",
                    Outcome.OK,
                    f"instance {found['InstanceArn']} (identity store {found['IdentityStoreId']}) "
                    f"in {candidate} ({where})",
                )
        searched = recorded or f"any of {len(regions)} enabled regions"
        return None, Finding(
            target.account_id,
            "identity-center",
            Outcome.PROBLEM,
            f"no Identity Center instance in {searched}: another home region, or administered by "
            "another account",
        )

    # -- an organization --

    def check_organization(self, management: Target) -> tuple[list[Finding], list[Target]]:
        """Organization-wide findings and the member roles to check, through the management role."""
        scope = self.settings.organization
        assert scope is not None
        findings: list[Finding] = []
        clients = self._clients(management)
        if isinstance(clients, Exception):
            findings.append(
                Finding(
                    ORGANIZATION,
                    "accounts",
                    Outcome.PROBLEM,
                    "member accounts not checked: the management role cannot be assumed",
                )
            )
            return findings, []
        client = clients.client("organizations")
        try:
            organization = org_api.describe_organization(client)
            listed = org_api.list_accounts(client)
            tree = org_api.walk_tree(client) if scope.organizational_unit_ids else None
        except ClientError as exc:
            findings.append(
                Finding(
                    ORGANIZATION, "accounts", Outcome.PROBLEM, f"cannot read the organization: {_why(exc)}"
                )
            )
            return findings, []
        master = organization["MasterAccountId"]
        if not listed:
            # An organization has at least its management account: an empty list is never a real answer.
            why = (
                f"the organization listed no account through {management.role_arn}: is it in the management "
                "account or a delegated administrator?"
            )
            findings.append(Finding(ORGANIZATION, "accounts", Outcome.PROBLEM, why))
        if master != management.account_id:
            findings.append(
                Finding(
                    ORGANIZATION,
                    "management-account",
                    Outcome.NOTE,
                    f"the role is in {management.account_id}, not in the management account {master}: "
                    "a delegated administrator",
                )
            )
        partition = partition_of(management.role_arn)
        others = [a for a in listed if a["Id"] not in (management.account_id, master)]
        chosen, left_out = parse_org.select_accounts(others, tree, scope.organizational_unit_ids, ())
        if master == management.account_id:
            why = "management account: StackSets never deploy here; read through the management role"
            findings.append(Finding(master, "member-role", Outcome.NOTE, why))
        else:
            why = "management account: StackSets never deploy here; its role is deployed apart (not checked)"
            findings.append(Finding(master, "member-role", Outcome.NOTE, why))
            why = "the delegated administrator: read through the role checked here"
            findings.append(Finding(management.account_id, "member-role", Outcome.NOTE, why))
        for account_id, why in left_out:
            findings.append(
                Finding(
                    account_id, "member-role", Outcome.NOTE, f"no member role expected ({why}); not collected"
                )
            )
        members = [
            Target(
                item["Id"],
                f"arn:{partition}:iam::{item['Id']}:role/{scope.member_role_name}",
                DEFAULT_FEATURES
                | ({Feature.IDENTITY_CENTER} if item["Id"] == scope.identity_center_account_id else set()),
                "member role",
            )
            for item in sorted(chosen, key=lambda a: a["Id"])
        ]
        active = sum(1 for a in listed if parse_org.account_status(a) == parse_org.ACTIVE)
        if listed:
            findings.append(
                Finding(
                    ORGANIZATION,
                    "accounts",
                    Outcome.OK,
                    f"{len(listed)} accounts ({active} active): {len(members)} need the member role "
                    f"{scope.member_role_name}, {len(left_out)} left out",
                )
            )
        return findings, members

    # -- everything --

    def run(self) -> Report:
        s = self.settings
        findings: list[Finding] = []
        targets = list(s.targets)
        if s.organization is not None:
            org_findings, members = self.check_organization(s.targets[0])
            findings.extend(org_findings)
            targets.extend(members)
        hint = (
            "no member role there: the StackSet has not deployed to this account yet (a new account, or a "
            "failed stack instance)"
        )
        with ThreadPoolExecutor(max_workers=max(1, s.workers), thread_name_prefix="doctor") as pool:
            results = pool.map(
                lambda t: self.check_account(t, missing_role_hint=hint if t.kind == "member role" else ""),
                targets,
            )
            for found in results:
                findings.extend(found)
        return Report(s.subject, tuple(findings), self.sessions.recorder.total())


TRAIL_LOGS_CHECK = "trail-logs"
_TRAIL_LIST_PAGES = 5  # pages of keys looked through for one log file (digests sort before log files)


def _trail_logs_finding(
    target: Target, clients: AccountClients, trail: TrailLogsCheck, region: str
) -> Finding:
    """List the trail's log prefix and read one byte of one log file, as the collector would."""
    s3 = clients.client("s3", region)
    where = f"s3://{trail.bucket}/{trail.logs_root}"
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=trail.bucket,
            Prefix=trail.logs_root,
            PaginationConfig={"PageSize": 1000, "MaxItems": 1000 * _TRAIL_LIST_PAGES},
        )
        key = next(
            (
                item["Key"]
                for page in pages
                for item in page.get("Contents") or ()
                if "/CloudTrail/" in item["Key"] and LOG_FILE_RE.match(item["Key"].rsplit("/", 1)[-1])
            ),
            None,
        )
    except ClientError as exc:
        why = "s3:ListBucket on the bucket for its log prefix" if _denied(exc) else "the listing"
        return Finding(
            target.account_id, TRAIL_LOGS_CHECK, Outcome.PROBLEM, f"cannot list {where} ({why}): {_why(exc)}"
        )
    if key is None:
        return Finding(
            target.account_id, TRAIL_LOGS_CHECK, Outcome.NOTE, f"listed {where}: no log file there yet"
        )
    try:
        s3.get_object(Bucket=trail.bucket, Key=key, Range="bytes=0-0")["Body"].close()
    except ClientError as exc:
        why = "s3:GetObject under the log prefix, or kms:Decrypt on the trail's key through S3"
        return Finding(
            target.account_id, TRAIL_LOGS_CHECK, Outcome.PROBLEM, f"cannot read {key} ({why}): {_why(exc)}"
        )
    return Finding(target.account_id, TRAIL_LOGS_CHECK, Outcome.OK, f"listed {where} and read {key}")


def _refusal_finding(target: Target, check: str, failure: Exception | None) -> Finding:
    what = "without an ExternalId" if check == "no-external-id" else "with a wrong ExternalId"
    if failure is None:
        return Finding(
            target.account_id,
            check,
            Outcome.CRITICAL,
            f"assumed {what}: the trust policy is open to the confused deputy; the customer must redeploy "
            "with the sts:ExternalId condition",
        )
    if _denied(failure):
        return Finding(target.account_id, check, Outcome.OK, f"refused {what}")
    return Finding(target.account_id, check, Outcome.PROBLEM, f"could not check: {_why(failure)}")


def _permissions_finding(
    account_id: str, feature: Feature, results: tuple[probes.ProbeResult, ...]
) -> Finding:
    check = f"permissions:{feature.value}"
    denied = [r.action for r in results if r.verdict is probes.Verdict.DENIED]
    unverified = [r for r in results if r.verdict is probes.Verdict.UNVERIFIED]
    allowed = len(results) - len(denied) - len(unverified)
    notes = "; ".join(f"{r.action} {r.detail}" for r in unverified)
    tail = f"; unverified: {notes}" if notes else ""
    if denied:
        return Finding(
            account_id, check, Outcome.PROBLEM, f"missing {', '.join(denied)}{tail}", tuple(denied)
        )
    by_design = all(r.action in probes.NOT_PROBED for r in unverified)
    outcome = Outcome.OK if by_design else Outcome.NOTE
    return Finding(account_id, check, outcome, f"{allowed} of {len(results)} actions allowed{tail}")
