"""Ground truth: what the seeder created, as frozen records that tests compare collected data to.

Every record lists names or IDs (sorted) and offers ``counts()``: the expected number of each entity kind.
Resources AWS creates implicitly (a new VPC's main route table and default security group, an instance's
network interface, the default VPC of a region) are included: the seeder reads their IDs back once, because
AWS (and moto) generate them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

PrincipalType = Literal["user", "group", "role"]


def _sorted(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(items))


# --- Organizations


@dataclass(frozen=True)
class OrganizationalUnitTruth:
    id: str
    name: str
    parent_id: str  # the root's ID or another OU's


@dataclass(frozen=True)
class AccountTruth:
    id: str
    name: str
    email: str
    parent_id: str  # the root's ID or the OU's


@dataclass(frozen=True)
class ResourceControlPolicyTruth:
    id: str
    name: str
    target_ids: tuple[str, ...]


@dataclass(frozen=True)
class OrganizationTruth:
    organization_id: str
    management_account_id: str
    root_id: str
    organizational_units: tuple[OrganizationalUnitTruth, ...]
    accounts: tuple[AccountTruth, ...]  # every account, the management account first
    # Seeded ones (moto adds the AWS-managed RCPFullAWSAccess, attached to the root, when the type is enabled)
    resource_control_policies: tuple[ResourceControlPolicyTruth, ...] = ()
    enabled_policy_types: tuple[str, ...] = ()  # on the root

    @property
    def member_account_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.accounts if a.id != self.management_account_id)

    @property
    def account_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.accounts)

    def account_named(self, name: str) -> AccountTruth:
        return next(a for a in self.accounts if a.name == name)

    def counts(self) -> dict[str, int]:
        return {"accounts": len(self.accounts), "organizational_units": len(self.organizational_units)}


# --- IAM


@dataclass(frozen=True)
class PolicyAttachment:
    principal_type: PrincipalType
    principal_name: str
    policy_arn: str

    @property
    def aws_managed(self) -> bool:
        return self.policy_arn.startswith("arn:aws:iam::aws:")


@dataclass(frozen=True)
class InlinePolicy:
    principal_type: PrincipalType
    principal_name: str
    policy_name: str


@dataclass(frozen=True)
class AccessKeyTruth:
    user_name: str
    access_key_id: str
    status: Literal["Active", "Inactive"]


@dataclass(frozen=True)
class RoleTruth:
    name: str
    arn: str
    path: str
    # Who the trust policy lets assume it: AWS principal ARNs, service names, SAML provider ARNs.
    trusted: tuple[str, ...]
    permissions_boundary_arn: str | None = None


@dataclass(frozen=True)
class IamTruth:
    """One account's IAM as seeded, plus what exists without seeding (OrganizationAccountAccessRole)."""

    account_id: str
    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    group_memberships: tuple[tuple[str, str], ...] = ()  # (group, user)
    roles: tuple[RoleTruth, ...] = ()
    customer_managed_policies: tuple[str, ...] = ()  # ARNs
    attachments: tuple[PolicyAttachment, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    access_keys: tuple[AccessKeyTruth, ...] = ()
    instance_profiles: tuple[str, ...] = ()  # ARNs

    @property
    def role_names(self) -> tuple[str, ...]:
        return _sorted(r.name for r in self.roles)

    @property
    def aws_managed_policies_attached(self) -> tuple[str, ...]:
        return _sorted({a.policy_arn for a in self.attachments if a.aws_managed})

    def plus(self, other: IamTruth) -> IamTruth:
        """This account's truth with ``other``'s entities added (e.g. the Identity Center roles)."""
        if other.account_id != self.account_id:
            raise ValueError(f"cannot merge account {other.account_id} into {self.account_id}")
        return IamTruth(
            account_id=self.account_id,
            users=_sorted({*self.users, *other.users}),
            groups=_sorted({*self.groups, *other.groups}),
            group_memberships=tuple(sorted({*self.group_memberships, *other.group_memberships})),
            roles=tuple(sorted({*self.roles, *other.roles}, key=lambda r: r.name)),
            customer_managed_policies=_sorted(
                {*self.customer_managed_policies, *other.customer_managed_policies}
            ),
            attachments=tuple(sorted({*self.attachments, *other.attachments}, key=attachment_key)),
            inline_policies=tuple(sorted({*self.inline_policies, *other.inline_policies}, key=inline_key)),
            access_keys=tuple(sorted({*self.access_keys, *other.access_keys}, key=lambda k: k.access_key_id)),
            instance_profiles=_sorted({*self.instance_profiles, *other.instance_profiles}),
        )

    def counts(self) -> dict[str, int]:
        return {
            "users": len(self.users),
            "groups": len(self.groups),
            "group_memberships": len(self.group_memberships),
            "roles": len(self.roles),
            "customer_managed_policies": len(self.customer_managed_policies),
            "aws_managed_policies_attached": len(self.aws_managed_policies_attached),
            "policy_attachments": len(self.attachments),
            "inline_policies": len(self.inline_policies),
            "access_keys": len(self.access_keys),
            "instance_profiles": len(self.instance_profiles),
        }


def attachment_key(a: PolicyAttachment) -> tuple[str, str, str]:
    return (a.principal_type, a.principal_name, a.policy_arn)


def inline_key(p: InlinePolicy) -> tuple[str, str, str]:
    return (p.principal_type, p.principal_name, p.policy_name)


@dataclass(frozen=True)
class TrustEdgeTruth:
    """One (role, principal) a seeded trust policy allows, with what the collector must conclude."""

    role_arn: str
    principal_type: str
    principal: str
    external_account: bool | None
    external_id_required: bool


@dataclass(frozen=True)
class SamlProviderTruth:
    arn: str
    entity_id: str
    sso_url: str
    certificate_expiry: str  # ISO 8601


@dataclass(frozen=True)
class FederationTruth:
    """One account's providers, MFA devices, password policy, and the trust edges of the roles seeded for
    them (those roles are in the account's IamTruth too)."""

    account_id: str
    saml_providers: tuple[SamlProviderTruth, ...] = ()
    oidc_providers: tuple[str, ...] = ()  # ARNs
    mfa_devices: tuple[tuple[str, str | None], ...] = ()  # (serial number, user name or None)
    password_policy: bool = False
    trust_edges: tuple[TrustEdgeTruth, ...] = ()

    def counts(self) -> dict[str, int]:
        return {
            "saml_providers": len(self.saml_providers),
            "oidc_providers": len(self.oidc_providers),
            "virtual_mfa_devices": len(self.mfa_devices),
        }


# --- EC2


@dataclass(frozen=True, order=True)
class Grant:
    """One grantee of a snapshot's createVolumePermission or an AMI's launchPermission."""

    resource_id: str
    grantee_type: str  # "public", "account", "organization", "organizational_unit"
    grantee: str  # "all", an account ID, an organization or OU ARN


@dataclass(frozen=True)
class Ec2ResourcesTruth:
    """One account's EC2 resources beyond instances and the core network, in one region."""

    volumes: tuple[str, ...]
    snapshots: tuple[str, ...]  # owned: the seeded ones and any behind the AMIs
    snapshot_shares: frozenset[Grant]
    images: tuple[str, ...]
    image_shares: frozenset[Grant]
    key_pairs: tuple[str, ...]  # names
    launch_templates: Mapping[str, tuple[str | None, str | None]]  # name -> (default, latest) IMDS tokens
    elastic_ips: tuple[str, ...]  # allocation IDs
    settings: Mapping[str, Any]  # ec2_account_settings column -> value
    network_acls: tuple[str, ...]  # every VPC's default ACL and the seeded one
    seeded_network_acl: str
    vpc_endpoints: tuple[str, ...]
    endpoint_policies: Mapping[str, Any]  # endpoint ID -> policy document
    vpc_endpoint_services: tuple[str, ...]
    allowed_principals: Mapping[str, tuple[str, ...]]  # service ID -> principals
    transit_gateways: tuple[str, ...]
    transit_gateway_attachments: tuple[str, ...]
    egress_only_internet_gateways: tuple[str, ...]
    managed_prefix_lists: tuple[str, ...]  # the account's and AWS's
    flow_logs: tuple[str, ...]
    vpn_gateways: tuple[str, ...]
    customer_gateways: tuple[str, ...]
    vpn_connections: tuple[str, ...]
    instance_connect_endpoints: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        return {
            "ebs_volumes": len(self.volumes),
            "ebs_snapshots": len(self.snapshots),
            "snapshot_shares": len(self.snapshot_shares),
            "images": len(self.images),
            "image_shares": len(self.image_shares),
            "key_pairs": len(self.key_pairs),
            "launch_templates": len(self.launch_templates),
            "elastic_ips": len(self.elastic_ips),
            "ec2_account_settings": 1,
            "network_acls": len(self.network_acls),
            "vpc_endpoints": len(self.vpc_endpoints),
            "vpc_endpoint_services": len(self.vpc_endpoint_services),
            "transit_gateways": len(self.transit_gateways),
            "transit_gateway_attachments": len(self.transit_gateway_attachments),
            "egress_only_internet_gateways": len(self.egress_only_internet_gateways),
            "managed_prefix_lists": len(self.managed_prefix_lists),
            "flow_logs": len(self.flow_logs),
            "vpn_gateways": len(self.vpn_gateways),
            "customer_gateways": len(self.customer_gateways),
            "vpn_connections": len(self.vpn_connections),
            "instance_connect_endpoints": len(self.instance_connect_endpoints),
        }


@dataclass(frozen=True)
class Ec2RegionTruth:
    """One account's EC2 resources in one region, the default VPC's included."""

    account_id: str
    region: str
    default_vpc_id: str
    vpcs: tuple[str, ...]
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    security_group_rules: int  # ingress and egress rules of every security group
    instances: tuple[str, ...]
    instance_profiles: Mapping[str, str] = field(default_factory=dict)  # instance ID -> instance profile ARN
    network_interfaces: tuple[str, ...] = ()
    route_tables: tuple[str, ...] = ()
    internet_gateways: tuple[str, ...] = ()
    nat_gateways: tuple[str, ...] = ()
    vpc_peering_connections: tuple[str, ...] = ()  # listed in both regions of a cross-region peering
    resources: Ec2ResourcesTruth | None = None  # seeded by seed_ec2_resources, if it ran here

    def counts(self) -> dict[str, int]:
        return {
            **(self.resources.counts() if self.resources else {}),
            "vpcs": len(self.vpcs),
            "subnets": len(self.subnets),
            "security_groups": len(self.security_groups),
            "security_group_rules": self.security_group_rules,
            "ec2_instances": len(self.instances),
            "network_interfaces": len(self.network_interfaces),
            "route_tables": len(self.route_tables),
            "internet_gateways": len(self.internet_gateways),
            "nat_gateways": len(self.nat_gateways),
            "vpc_peering_connections": len(self.vpc_peering_connections),
        }

    def with_resources(
        self, resources: Ec2ResourcesTruth, network_interfaces: tuple[str, ...]
    ) -> Ec2RegionTruth:
        """With the resources seeded later, and the network interfaces they added."""
        return replace(self, resources=resources, network_interfaces=network_interfaces)

    def with_peering(self, peering_id: str) -> Ec2RegionTruth:
        return replace(self, vpc_peering_connections=_sorted({*self.vpc_peering_connections, peering_id}))


# --- IAM Identity Center


@dataclass(frozen=True)
class PermissionSetTruth:
    name: str
    arn: str
    aws_managed_policies: tuple[str, ...]
    customer_managed_policies: tuple[tuple[str, str], ...]  # (name, path)
    inline_policy: bool
    permissions_boundary: str | None  # a policy ARN, or "path+name" of a customer-managed reference
    session_duration: str


@dataclass(frozen=True)
class AssignmentTruth:
    permission_set_arn: str
    account_id: str
    principal_type: Literal["USER", "GROUP"]
    principal_id: str


@dataclass(frozen=True)
class ProvisionedRoleTruth:
    """The IAM role a permission set became in one account: what a collector must map it to."""

    permission_set_arn: str
    permission_set_name: str
    account_id: str
    role_name: str  # AWSReservedSSO_<permission set name>_<16 hex digits>
    role_arn: str


@dataclass(frozen=True)
class IdentityStoreUserTruth:
    user_id: str
    user_name: str


@dataclass(frozen=True)
class IdentityStoreGroupTruth:
    group_id: str
    display_name: str


@dataclass(frozen=True)
class ApplicationTruth:
    arn: str
    name: str
    assignment_required: bool
    assignments: tuple[tuple[str, str], ...]  # (USER or GROUP, identity-store ID)


@dataclass(frozen=True)
class ApplicationIssuerTruth:
    """A trusted token issuer of the instance."""

    arn: str
    name: str
    issuer_url: str


@dataclass(frozen=True)
class IdentityCenterTruth:
    instance_arn: str
    identity_store_id: str
    home_region: str
    management_account_id: str
    users: tuple[IdentityStoreUserTruth, ...]
    groups: tuple[IdentityStoreGroupTruth, ...]
    memberships: tuple[tuple[str, str], ...]  # (group ID, user ID)
    permission_sets: tuple[PermissionSetTruth, ...]
    assignments: tuple[AssignmentTruth, ...]
    provisioned_roles: tuple[ProvisionedRoleTruth, ...]
    applications: tuple[ApplicationTruth, ...] = ()
    trusted_token_issuers: tuple[ApplicationIssuerTruth, ...] = ()

    def role_for(self, permission_set_arn: str, account_id: str) -> ProvisionedRoleTruth:
        return next(
            r
            for r in self.provisioned_roles
            if r.permission_set_arn == permission_set_arn and r.account_id == account_id
        )

    @property
    def role_mapping(self) -> dict[tuple[str, str], str]:
        """(permission set ARN, account ID) -> role ARN."""
        return {(r.permission_set_arn, r.account_id): r.role_arn for r in self.provisioned_roles}

    def provisioned_accounts(self, permission_set_arn: str) -> tuple[str, ...]:
        return _sorted({a.account_id for a in self.assignments if a.permission_set_arn == permission_set_arn})

    def counts(self) -> dict[str, int]:
        return {
            "sso_instances": 1,
            "permission_sets": len(self.permission_sets),
            "account_assignments": len(self.assignments),
            "identity_store_users": len(self.users),
            "identity_store_groups": len(self.groups),
            "identity_store_memberships": len(self.memberships),
            "provisioned_roles": len(self.provisioned_roles),
            "sso_applications": len(self.applications),
            "sso_application_assignments": sum(len(a.assignments) for a in self.applications),
            "trusted_token_issuers": len(self.trusted_token_issuers),
        }


@dataclass(frozen=True)
class EntitlementTruth:
    """An Account Access Manager entitlement: an Identity Center principal may assume a role."""

    entitlement_id: str
    principal_type: Literal["USER", "GROUP"] | str
    principal_id: str
    role_arn: str
    account_id: str


@dataclass(frozen=True)
class AccountAccessTruth:
    application_arn: str
    entitlements: tuple[EntitlementTruth, ...]

    def counts(self) -> dict[str, int]:
        return {"access_manager_applications": 1, "access_manager_entitlements": len(self.entitlements)}


# --- CloudTrail


@dataclass(frozen=True)
class CloudTrailTruth:
    """The event IDs the emulator holds per (account, region), newest first, when seeding finished.

    ``visible`` excludes events older than LookupEvents' 90 days; ``seeded`` are the synthetic events the
    seeder added (the rest were recorded from the seeder's own mutating calls).
    """

    stored: Mapping[tuple[str, str], tuple[str, ...]]
    visible: Mapping[tuple[str, str], tuple[str, ...]]
    seeded: frozenset[str]

    def counts(self) -> dict[str, int]:
        return {
            "cloudtrail_events": sum(len(v) for v in self.visible.values()),
            "cloudtrail_events_stored": sum(len(v) for v in self.stored.values()),
            "cloudtrail_events_seeded": len(self.seeded),
        }


# --- The whole organization


@dataclass(frozen=True)
class SeededOrganization:
    organization: OrganizationTruth
    regions: tuple[str, ...]
    iam: tuple[IamTruth, ...]  # one per account, Identity Center roles included
    ec2: tuple[Ec2RegionTruth, ...]  # one per account and seeded region
    identity_center: IdentityCenterTruth
    cloudtrail: CloudTrailTruth
    federation: tuple[FederationTruth, ...] = ()  # one per account that has any
    account_access: AccountAccessTruth | None = None  # where Identity Center is administered

    def iam_of(self, account_id: str) -> IamTruth:
        return next(t for t in self.iam if t.account_id == account_id)

    def ec2_of(self, account_id: str, region: str) -> Ec2RegionTruth:
        return next(t for t in self.ec2 if t.account_id == account_id and t.region == region)

    def counts(self) -> dict[str, int]:
        """Totals over the organization, named like the collector's ``summary --json`` keys."""
        totals: dict[str, int] = {}
        parts: list[dict[str, int]] = [
            self.organization.counts(),
            self.identity_center.counts(),
            self.cloudtrail.counts(),
            *(t.counts() for t in self.iam),
            *(t.counts() for t in self.ec2),
            *(t.counts() for t in self.federation),
            *([self.account_access.counts()] if self.account_access else []),
        ]
        for part in parts:
            for key, value in part.items():
                totals[key] = totals.get(key, 0) + value
        # A peering connection between two seeded regions is listed in both; count it once.
        totals["vpc_peering_connections"] = len({p for t in self.ec2 for p in t.vpc_peering_connections})
        return totals
