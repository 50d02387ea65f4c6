"""``IntegrationRole``: the read-only IAM role the vendor's collector assumes in one account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from aws_cdk import Acknowledgment, Aws, CfnCondition, Duration, Fn, Tags, Validations
from aws_cdk import aws_iam as iam
from constructs import Construct

from collector import formats
from collector.formats import InvalidSettingError
from collector.permissions import DEFAULT_FEATURES, Feature, actions_for
from constructs_lib import validation
from constructs_lib.policies import (
    MANAGED_POLICIES_PER_ROLE,
    Statement,
    allow_statements,
    decrypt_via_statement,
    deny_statements,
    identity_center_via_services,
    pack,
    read_only_documents,
    trail_log_statements,
)
from constructs_lib.role_trust import ExternalId, TrustedPrincipal, trust_principal
from constructs_lib.trail_logs import CloudTrailLogs

DEFAULT_MAX_SESSION_DURATION = Duration.hours(1)
SECURITY_AUDIT = "SecurityAudit"

# cdk-nag finding IDs acknowledged below, each with its reason next to the code that causes it.
NAG_WILDCARD_RESOURCE = "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
NAG_SECURITY_AUDIT = (
    "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/SecurityAudit]"
)
_DECRYPT_ON_EVERY_KEY = (
    "kms:Decrypt only through IAM Identity Center's services (kms:ViaService) in its home region: the "
    "customer's key is not known when the template is written, and no direct or other-service decrypt is "
    "possible (the Deny names exactly the same services)."
)
_READ_ONLY_ON_EVERY_RESOURCE = (
    "List/Read actions only, from the collector's permission catalog. Most support no resource-level "
    "restriction (GetAccountAuthorizationDetails, ec2:Describe*, LookupEvents, the sso, identitystore and "
    "organizations lists), and the inventory needs every resource of the account anyway."
)
TRAIL_LOGS_POLICY_ID = "ReadTrailLogs"
_TRAIL_LOG_OBJECTS = (
    "The trail's log files: objects under the trail's [prefix/]AWSLogs/ only (CloudTrail names them by "
    "account, region, day and time, so no narrower pattern exists); the data-plane Deny still denies every "
    "other object."
)


def _policy_statement(statement: Statement) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid=statement.sid,
        effect=iam.Effect(statement.effect.upper()),
        actions=list(statement.actions),
        resources=None if statement.not_resources else list(statement.resources),
        not_resources=list(statement.not_resources) or None,
        conditions={op: dict(values) for op, values in (statement.condition or {}).items()} or None,
    )


def _document_json(statements: Iterable[Statement]) -> dict[str, Any]:
    """A policy document as CloudFormation takes it (Tokens such as the partition resolve in place)."""
    return iam.PolicyDocument(statements=[_policy_statement(s) for s in statements]).to_json()  # type: ignore[no-any-return]


def _checked_features(features: Iterable[Feature]) -> frozenset[Feature]:
    chosen = frozenset(features)
    unknown = [f for f in chosen if not isinstance(f, Feature)]
    if unknown or not chosen:
        raise InvalidSettingError(
            "features", sorted(map(str, chosen)), f"one or more of {', '.join(f.value for f in Feature)}"
        )
    return chosen


class IntegrationRole(Construct):
    """A role that the vendor's principal may assume, with the ExternalId, to read the account's inventory.

    What it creates (construct IDs are public API; do not rename them):

    - ``Resource``: the ``iam.Role``. Its trust policy allows ``sts:AssumeRole`` by ``trusted_principal`` only
      with ``StringEquals sts:ExternalId``; there is no way to build it without.
    - ``ReadOnlyPolicy1`` .. ``ReadOnlyPolicyN``: customer-managed policies with the List/Read actions of the
      chosen features, from the collector's permission catalog (usually N = 1; more only when the actions
      exceed the 6,144-character policy limit). Attached from the policy side (``ManagedPolicy.Roles``).
    - ``DenyDataPlaneReads``: a customer-managed policy with an explicit Deny of data-plane reads (object
      contents, secret values, parameters, decryption, table items, function code, log events, EC2 password
      data and console output), which wins over any Allow attached to the role later. The read-only
      policies depend on it, so CloudFormation attaches them only once the Deny is in place.
    - ``DecryptViaIdentityCenter`` (only with ``Feature.IDENTITY_CENTER`` and ``identity_center_region``):
      ``kms:Decrypt`` allowed only when ``kms:ViaService`` is sso or identitystore in that region, which an
      instance encrypted with a customer-managed key needs for its identity-store reads. The Deny of
      ``kms:Decrypt`` is then narrowed by exactly that condition (its own statement,
      ``DenyDecryptExceptViaIdentityCenter``), so a direct decrypt or one through any other service stays
      denied.

    :param trusted_principal: the vendor's identity; ``TrustedPrincipal.role_arn(...)`` is recommended.
    :param external_id: ``ExternalId.literal(...)``, or ``ExternalId.parameter()`` so that one template
        serves every customer.
    :param features: the permission groups to grant. Default: ``collector.permissions.DEFAULT_FEATURES``
        (IAM, EC2, CloudTrail). Add ``Feature.IDENTITY_CENTER`` where Identity Center is managed and
        ``Feature.ORGANIZATIONS`` in the management (or delegated-administrator) account.
    :param security_audit: also attach the AWS-managed ``SecurityAudit`` policy. Default: False. Broader than
        the collector needs; the data-plane Deny still applies.
    :param role_name: a fixed role name. Default: CloudFormation generates one. A fixed name needs
        ``CAPABILITY_NAMED_IAM`` and is global to the account: deploying the stack in two regions collides.
    :param path: the role's IAM path. Default: ``/``.
    :param permissions_boundary: a permissions boundary for the role. Default: none.
    :param max_session_duration: how long the collector's session may last, 1 to 12 hours. Default: 1 hour.
    :param description: the role's description. Default: one naming the features.
    :param tags: tags for the role. Default: none.
    :param identity_center_region: IAM Identity Center's home region, where the role reads it. Default: none,
        and ``kms:Decrypt`` stays denied outright (an instance encrypted with a customer-managed key then
        cannot be read). Only with ``Feature.IDENTITY_CENTER``.
    :param cloud_trail_logs: ``CloudTrailLogs.bucket(...)``: also read the trail's log files there
        (``ReadTrailLogs``, a policy scoped to the bucket's log prefix and the trail's key), with the Deny
        narrowed by exactly that. Default: none, S3 objects and decryption stay denied everywhere.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        trusted_principal: TrustedPrincipal,
        external_id: ExternalId,
        features: Iterable[Feature] = DEFAULT_FEATURES,
        security_audit: bool = False,
        role_name: str | None = None,
        path: str | None = None,
        permissions_boundary: iam.IManagedPolicy | None = None,
        max_session_duration: Duration = DEFAULT_MAX_SESSION_DURATION,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        identity_center_region: str | None = None,
        cloud_trail_logs: CloudTrailLogs | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.features = _checked_features(features)
        self.decrypt_via = self._decrypt_via(identity_center_region)
        documents = read_only_documents(self.features)
        if len(documents) + 1 + int(security_audit) > MANAGED_POLICIES_PER_ROLE:
            raise InvalidSettingError(
                "security_audit", True, f"False: the role would exceed {MANAGED_POLICIES_PER_ROLE} policies"
            )
        self.granted_actions: tuple[str, ...] = actions_for(self.features)
        self.trusted_principal = trusted_principal
        self.security_audit = security_audit
        self.conditional_policies: tuple[iam.ManagedPolicy, ...] = ()
        self.cloud_trail_logs = cloud_trail_logs
        self.trail_logs_policy: iam.ManagedPolicy | None = None
        # Grants that hold only under a condition (a template shared by many accounts): see _refresh_deny.
        self._trail_condition: CfnCondition | None = None
        self._conditional_via: tuple[str, ...] = ()
        self._via_condition: CfnCondition | None = None
        extra = int(cloud_trail_logs is not None) + int(bool(self.decrypt_via))
        if len(documents) + 1 + int(security_audit) + extra > MANAGED_POLICIES_PER_ROLE:
            raise InvalidSettingError(
                "cloud_trail_logs",
                cloud_trail_logs,
                f"none: the role would exceed {MANAGED_POLICIES_PER_ROLE} policies",
            )

        trusted_principal.require_partition(self)
        self.role = iam.Role(
            self,
            "Resource",
            assumed_by=trust_principal(trusted_principal, external_id.bind(self)),
            role_name=validation.role_name(role_name, "role_name"),
            path=validation.iam_path(path, "path"),
            permissions_boundary=permissions_boundary,
            max_session_duration=validation.max_session_duration(
                max_session_duration, "max_session_duration"
            ),
            description=description or self._default_description(),
            # AWS-managed policies can only be attached from the role side (Role.ManagedPolicyArns).
            managed_policies=(
                [iam.ManagedPolicy.from_aws_managed_policy_name(SECURITY_AUDIT)] if security_audit else None
            ),
        )
        if security_audit:
            Validations.of(self.role).acknowledge(
                Acknowledgment(
                    id=NAG_SECURITY_AUDIT,
                    reason="SecurityAudit is attached only because the deployer explicitly opted in.",
                )
            )
        for key, value in validation.tags(tags or {}, "tags").items():
            Tags.of(self.role).add(key, value)

        # Attached from the policy side (ManagedPolicy.Roles), which also keeps the role's own properties
        # short, and works on emulators that ignore Role.ManagedPolicyArns. The Deny comes first: every
        # read-only policy depends on it, so no Allow of ours is ever attached without it.
        self.deny_policy = self._managed_policy(
            "DenyDataPlaneReads",
            deny_statements(None if cloud_trail_logs is None else cloud_trail_logs.grant(), self.decrypt_via),
            "explicit deny of data-plane reads",
            None,  # cdk-nag does not flag a Deny on *
        )
        self.decrypt_policy: iam.ManagedPolicy | None = None
        if self.decrypt_via:
            self.decrypt_policy = self._managed_policy(
                "DecryptViaIdentityCenter",
                (decrypt_via_statement(self.decrypt_via),),
                "kms:Decrypt through IAM Identity Center only",
                _DECRYPT_ON_EVERY_KEY,
            )
            self.decrypt_policy.node.add_dependency(self.deny_policy)
        self.read_only_policies: tuple[iam.ManagedPolicy, ...] = tuple(
            self._managed_policy(
                f"ReadOnlyPolicy{i}",
                statements,
                f"part {i} of {len(documents)}",
                _READ_ONLY_ON_EVERY_RESOURCE,
            )
            for i, statements in enumerate(documents, start=1)
        )
        for policy in self.read_only_policies:
            policy.node.add_dependency(self.deny_policy)
        if cloud_trail_logs is not None:
            self._trail_logs_policy(cloud_trail_logs, "the trail's log files", None)

    def add_conditional_trail_logs(self, logs: CloudTrailLogs, condition: CfnCondition) -> iam.ManagedPolicy:
        """Read the trail's log files only where ``condition`` holds (``ReadTrailLogs``), and narrow the Deny
        there only: elsewhere it stays whole. For a template deployed to many accounts of which one holds
        the bucket (an organization's log-archive account)."""
        if self.cloud_trail_logs is not None:
            raise InvalidSettingError(
                "cloud_trail_logs", logs, "given once: the role reads one trail's files"
            )
        if len(self.policies) + 1 + int(self.security_audit) > MANAGED_POLICIES_PER_ROLE:
            raise InvalidSettingError(
                "cloud_trail_logs", logs, f"none: the role would exceed {MANAGED_POLICIES_PER_ROLE} policies"
            )
        self.cloud_trail_logs = logs
        self._trail_condition = condition
        self._refresh_deny()
        return self._trail_logs_policy(
            logs, f"the trail's log files where {condition.logical_id} holds", condition
        )

    def _trail_logs_policy(
        self, logs: CloudTrailLogs, what: str, condition: CfnCondition | None
    ) -> iam.ManagedPolicy:
        grant = logs.grant()
        policy = self._managed_policy(TRAIL_LOGS_POLICY_ID, trail_log_statements(grant), what, None)
        Validations.of(policy).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{_nag_resource(grant.objects_arn)}]",
                reason=_TRAIL_LOG_OBJECTS,
            )
        )
        if condition is not None:
            cast(iam.CfnManagedPolicy, policy.node.default_child).cfn_options.condition = condition
        policy.node.add_dependency(self.deny_policy)
        self.trail_logs_policy = policy
        return policy

    def add_conditional_features(
        self, construct_id: str, features: Iterable[Feature], condition: CfnCondition
    ) -> tuple[iam.ManagedPolicy, ...]:
        """More read-only policies with the actions of ``features`` that the role lacks, created only where
        ``condition`` holds (``<construct_id>1`` .. ``N``).

        For a template deployed to many accounts of which only some need more, such as the one account of
        an organization that administers IAM Identity Center. Like the others, they depend on the Deny.
        """
        extra = _checked_features(features)
        granted = set(self.granted_actions)
        statements = [
            Statement(s.sid, s.effect, tuple(a for a in s.actions if a not in granted))
            for s in allow_statements(extra)
        ]
        documents = pack([s for s in statements if s.actions])
        if len(self.policies) + len(documents) + int(self.security_audit) > MANAGED_POLICIES_PER_ROLE:
            raise InvalidSettingError(
                "features",
                sorted(map(str, extra)),
                f"features that fit the role's {MANAGED_POLICIES_PER_ROLE} managed policies",
            )
        added = []
        for i, document in enumerate(documents, start=1):
            policy = self._managed_policy(
                f"{construct_id}{i}",
                document,
                f"{', '.join(sorted(extra))} reads where {condition.logical_id} holds, "
                f"part {i} of {len(documents)}",
                _READ_ONLY_ON_EVERY_RESOURCE,
            )
            cast(iam.CfnManagedPolicy, policy.node.default_child).cfn_options.condition = condition
            policy.node.add_dependency(self.deny_policy)
            added.append(policy)
        self.conditional_policies += tuple(added)
        return tuple(added)

    def add_conditional_decrypt(
        self, identity_center_region: str, condition: CfnCondition
    ) -> iam.ManagedPolicy:
        """``kms:Decrypt`` through Identity Center only where ``condition`` holds, for a template every member
        account shares while one of them administers Identity Center (``DecryptViaIdentityCenter`` with that
        condition, construct ID ``IdentityCenterDecryptPolicy``). The Deny of ``kms:Decrypt`` becomes a
        statement of its own, narrowed by the same ``kms:ViaService`` condition there and whole everywhere
        else (``Fn::If`` on ``condition``)."""
        if self.decrypt_via or self._conditional_via:
            raise InvalidSettingError(
                "identity_center_region", identity_center_region, "one decrypt grant per role (it has one)"
            )
        region = validation.unless_token(formats.region, identity_center_region, "identity_center_region")
        via = identity_center_via_services(region, Aws.URL_SUFFIX)
        self._conditional_via, self._via_condition = via, condition
        self._refresh_deny()
        if len(self.policies) + 1 + int(self.security_audit) > MANAGED_POLICIES_PER_ROLE:
            raise InvalidSettingError(
                "identity_center_region", identity_center_region, "a role with room for one more policy"
            )
        policy = self._managed_policy(
            "IdentityCenterDecryptPolicy",
            (decrypt_via_statement(via),),
            f"kms:Decrypt through IAM Identity Center only, where {condition.logical_id} holds",
            _DECRYPT_ON_EVERY_KEY,
        )
        cast(iam.CfnManagedPolicy, policy.node.default_child).cfn_options.condition = condition
        policy.node.add_dependency(self.deny_policy)
        self.conditional_policies += (policy,)
        return policy

    def _refresh_deny(self) -> None:
        """The Deny's document where a grant holds only under a condition: ``Fn::If`` on each conditional
        grant (the trail's log files, the decrypt through Identity Center), so that each account's Deny is
        narrowed by exactly the grants it has (``policies.deny_statements``)."""
        grant = self.cloud_trail_logs.grant() if self.cloud_trail_logs is not None else None
        via = self.decrypt_via or self._conditional_via

        def document(with_trail: bool, with_via: bool) -> Any:
            return _document_json(deny_statements(grant if with_trail else None, via if with_via else ()))

        def with_trail(trail: bool) -> Any:
            if self._via_condition is not None:
                return Fn.condition_if(
                    self._via_condition.logical_id, document(trail, True), document(trail, False)
                )
            return document(trail, bool(via))

        if self._trail_condition is not None:
            chosen = Fn.condition_if(self._trail_condition.logical_id, with_trail(True), with_trail(False))
        else:
            chosen = with_trail(grant is not None)
        deny = cast(iam.CfnManagedPolicy, self.deny_policy.node.default_child)
        deny.add_property_override("PolicyDocument", chosen)

    @property
    def role_arn(self) -> str:
        return self.role.role_arn

    @property
    def role_name(self) -> str:
        return self.role.role_name

    @property
    def policies(self) -> tuple[iam.ManagedPolicy, ...]:
        """Every customer-managed policy the construct attaches: the read-only ones, the Deny, the decrypt
        through Identity Center, the conditional ones (``add_conditional_features``,
        ``add_conditional_decrypt``), then ``ReadTrailLogs`` (``cloud_trail_logs``)."""
        decrypt = (self.decrypt_policy,) if self.decrypt_policy else ()
        trail = () if self.trail_logs_policy is None else (self.trail_logs_policy,)
        return (*self.read_only_policies, self.deny_policy, *decrypt, *self.conditional_policies, *trail)

    def _decrypt_via(self, identity_center_region: str | None) -> tuple[str, ...]:
        if identity_center_region is None:
            return ()
        if Feature.IDENTITY_CENTER not in self.features:
            raise InvalidSettingError(
                "identity_center_region",
                identity_center_region,
                "no value unless the role reads IAM Identity Center (Feature.IDENTITY_CENTER)",
            )
        region = validation.unless_token(formats.region, identity_center_region, "identity_center_region")
        return identity_center_via_services(region, Aws.URL_SUFFIX)

    def _default_description(self) -> str:
        names = ", ".join(f.value for f in Feature if f in self.features)
        return f"Read-only integration role for an identity-security vendor (features: {names})."

    def _managed_policy(
        self, construct_id: str, statements: Iterable[Statement], what: str, why_every_resource: str | None
    ) -> iam.ManagedPolicy:
        policy = iam.ManagedPolicy(
            self,
            construct_id,
            description=f"Read-only integration role: {what}.",
            statements=[_policy_statement(s) for s in statements],
            roles=[self.role],
        )
        if why_every_resource is not None:
            Validations.of(policy).acknowledge(
                Acknowledgment(id=NAG_WILDCARD_RESOURCE, reason=why_every_resource)
            )
        return policy


def _nag_resource(arn: str) -> str:
    """An ARN as cdk-nag names it in a finding (the partition Token as ``<AWS::Partition>``)."""
    return arn.replace(Aws.PARTITION, "<AWS::Partition>")
