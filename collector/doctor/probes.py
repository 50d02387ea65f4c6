"""Does the role hold every catalog action it should? One cheap, read-only call per action.

Each probe makes the smallest call that AWS must authorize for that action: a one-item page, EC2's
``DryRun`` (``DryRunOperation`` means "would have succeeded"), or a lookup of a name that does not exist
(``NoSuchEntity`` after authorization means the action is allowed). Nothing is created, changed or started:
``iam:GenerateCredentialReport`` starts a report, so it is not probed and is reported as unverified.

Verdicts: ``allowed`` (the call succeeded, or the service answered with an error it only gives after
authorizing), ``denied`` (an access-denied code: the action is missing, by its catalog name), ``unverified``
(anything else, or no safe call exists). A test keeps ``PROBES`` and ``NOT_PROBED`` covering the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from collector.errors import DENIED_CODES, error_code
from collector.fetch import ClientFactory
from collector.permissions import CATALOG, Feature, Permission

# Error codes that a service returns only once the caller is authorized for the action.
AFTER_AUTHORIZATION = frozenset(
    {
        "DryRunOperation",
        "NoSuchEntity",
        "ReportNotPresent",
        "ReportExpired",
        "ReportInProgress",
        "ResourceNotFoundException",
        "AWSOrganizationsNotInUseException",
        "ParentNotFoundException",
        "PolicyNotFoundException",
        "TargetNotFoundException",
        "TrailNotFoundException",
        # EC2 authorizes a Describe* call before it looks its resource up: a placeholder ID not found.
        "InvalidSnapshot.NotFound",
        "InvalidAMIID.NotFound",
        "InvalidVpcEndpointServiceId.NotFound",
    }
)
NOT_PROBED: Mapping[str, str] = {
    "iam:GenerateCredentialReport": "not probed: it starts a credential report, and doctor changes nothing",
}
# Looked up, never created (a user, a SAML provider, an OIDC provider's host): NoSuchEntity is the answer.
PROBE_USER_NAME = "aws-readonly-collector-doctor-probe"
PLACEHOLDER_ROOT_ID = "r-0000"
PLACEHOLDER_UUID = "00000000-0000-0000-0000-000000000000"
AWS_MANAGED_SCP_ID = "p-FullAWSAccess"  # every organization with SCPs enabled has it
PROBE_POLICY = "SecurityAudit"
# Well-formed IDs that no resource has: EC2's per-resource reads are probed on them.
PLACEHOLDER_SNAPSHOT_ID = "snap-00000000000000000"
PLACEHOLDER_IMAGE_ID = "ami-00000000000000000"
PLACEHOLDER_ENDPOINT_SERVICE_ID = (
    "vpce-svc-00000000000000000"  # an AWS-managed policy read by GetPolicy/GetPolicyVersion
)


class Verdict(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNVERIFIED = "unverified"


@dataclass(frozen=True)
class ProbeResult:
    action: str
    verdict: Verdict
    detail: str


class CannotProbeError(Exception):
    """A probe that cannot be made here (e.g. no permission set to describe): the action is unverified."""


@dataclass
class ProbeEnv:
    """Clients of the assumed role, where to call, and what earlier probes found (IDs later probes use)."""

    clients: ClientFactory
    account_id: str
    partition: str
    region: str  # EC2 and CloudTrail
    identity_center_region: str | None  # None: no instance found, so Identity Center cannot be probed
    found: dict[str, str] = field(default_factory=dict)

    def client(self, service: str, region: str | None = None) -> Any:
        return self.clients.client(service, region)

    def sso(self, service: str) -> Any:
        if self.identity_center_region is None:
            raise CannotProbeError("no Identity Center instance found to probe with")
        return self.clients.client(service, self.identity_center_region)

    def need(self, key: str, what: str) -> str:
        if key not in self.found:
            raise CannotProbeError(f"no {what} to probe with")
        return self.found[key]


Probe = Callable[[ProbeEnv], object]


def _ec2(operation: str, **params: Any) -> Probe:
    def probe(env: ProbeEnv) -> object:
        return getattr(env.client("ec2", env.region), operation)(DryRun=True, **params)

    return probe


def _iam_policy_arn(env: ProbeEnv) -> str:
    return f"arn:{env.partition}:iam::aws:policy/{PROBE_POLICY}"


def _iam_arn(env: ProbeEnv, resource: str) -> str:
    """An IAM resource of this account that does not exist: IAM answers NoSuchEntity after authorizing."""
    return f"arn:{env.partition}:iam::{env.account_id}:{resource}"


def _list_roots(env: ProbeEnv) -> object:
    roots = env.client("organizations").list_roots(MaxResults=1)["Roots"]
    if roots:
        env.found["root"] = roots[0]["Id"]
    return roots


def _list_policies(env: ProbeEnv) -> object:
    found = env.client("organizations").list_policies(Filter="SERVICE_CONTROL_POLICY", MaxResults=1)[
        "Policies"
    ]
    if found:
        env.found["scp"] = found[0]["Id"]
    return found


def _list_instances(env: ProbeEnv) -> object:
    instances = env.sso("sso-admin").list_instances(MaxResults=1)["Instances"]
    if instances:
        env.found["instance"] = instances[0]["InstanceArn"]
        env.found["identity_store"] = instances[0]["IdentityStoreId"]
    return instances


def _list_permission_sets(env: ProbeEnv) -> object:
    sets = env.sso("sso-admin").list_permission_sets(
        InstanceArn=env.need("instance", "Identity Center instance"), MaxResults=1
    )["PermissionSets"]
    if sets:
        env.found["permission_set"] = sets[0]
    return sets


def _on_permission_set(operation: str, *, paged: bool = False, in_account: bool = False) -> Probe:
    """A call about the permission set found earlier: a one-item page, in the role's own account."""

    def probe(env: ProbeEnv) -> object:
        client = env.sso("sso-admin")
        params: dict[str, object] = {
            "InstanceArn": env.need("instance", "Identity Center instance"),
            "PermissionSetArn": env.need("permission_set", "permission set"),
        }
        if paged:
            params["MaxResults"] = 1
        if in_account:
            params["AccountId"] = env.account_id
        return getattr(client, operation)(**params)

    return probe


def _placeholder(env: ProbeEnv, kind: str) -> str:
    """A well-formed ARN of a resource that does not exist (none was found to probe with): the service
    answers ResourceNotFoundException, which it gives only after authorizing the call."""
    instance_id = env.need("instance", "Identity Center instance").rsplit("/", 1)[-1]
    account, partition = env.account_id, env.partition
    if kind == "app":
        return f"arn:{partition}:sso::{account}:application/{instance_id}/apl-0000000000000000"
    if kind == "issuer":
        return f"arn:{partition}:sso::{account}:trustedTokenIssuer/{instance_id}/tti-{PLACEHOLDER_UUID}"
    region = env.identity_center_region
    return f"arn:{partition}:account-access:{region}:{account}:application/aam-0000000000000000"


def _list_applications(env: ProbeEnv) -> object:
    apps = env.sso("sso-admin").list_applications(
        InstanceArn=env.need("instance", "Identity Center instance"), MaxResults=1
    )["Applications"]
    if apps:
        env.found["application"] = apps[0]["ApplicationArn"]
    return apps


def _on_application(operation: str, *, paged: bool = False) -> Probe:
    """A call about the application found earlier (a one-item page)."""

    def probe(env: ProbeEnv) -> object:
        client = env.sso("sso-admin")
        params: dict[str, object] = {
            "ApplicationArn": env.found.get("application") or _placeholder(env, "app")
        }
        if paged:
            params["MaxResults"] = 1
        return getattr(client, operation)(**params)

    return probe


def _list_trusted_token_issuers(env: ProbeEnv) -> object:
    issuers = env.sso("sso-admin").list_trusted_token_issuers(
        InstanceArn=env.need("instance", "Identity Center instance"), MaxResults=1
    )["TrustedTokenIssuers"]
    if issuers:
        env.found["trusted_token_issuer"] = issuers[0]["TrustedTokenIssuerArn"]
    return issuers


def _list_access_applications(env: ProbeEnv) -> object:
    apps = env.sso("account-access").list_applications(maxResults=1)["applications"]
    if apps:
        env.found["access_application"] = apps[0]["applicationArn"]
    return apps


def _on_access_application(operation: str, **params: object) -> Probe:
    def probe(env: ProbeEnv) -> object:
        client = env.sso("account-access")
        arn = env.found.get("access_application") or _placeholder(env, "access")
        return getattr(client, operation)(applicationArn=arn, **params)

    return probe


def _list_groups(env: ProbeEnv) -> object:
    client = env.sso("identitystore")
    groups = client.list_groups(IdentityStoreId=env.need("identity_store", "identity store"), MaxResults=1)[
        "Groups"
    ]
    if groups:
        env.found["group"] = groups[0]["GroupId"]
    return groups


# In call order: a probe may use what an earlier one found (env.found).
PROBES: Mapping[str, Probe] = {
    # iam
    "iam:GetAccountAuthorizationDetails": lambda env: env.client("iam").get_account_authorization_details(
        Filter=["LocalManagedPolicy"], MaxItems=1
    ),
    "iam:GetPolicy": lambda env: env.client("iam").get_policy(PolicyArn=_iam_policy_arn(env)),
    "iam:GetPolicyVersion": lambda env: env.client("iam").get_policy_version(
        PolicyArn=_iam_policy_arn(env), VersionId="v1"
    ),
    "iam:GetCredentialReport": lambda env: env.client("iam").get_credential_report(),
    "iam:ListAccessKeys": lambda env: env.client("iam").list_access_keys(
        UserName=PROBE_USER_NAME, MaxItems=1
    ),
    "iam:ListAccountAliases": lambda env: env.client("iam").list_account_aliases(MaxItems=1),
    "iam:ListSAMLProviders": lambda env: env.client("iam").list_saml_providers(),
    "iam:GetSAMLProvider": lambda env: env.client("iam").get_saml_provider(
        SAMLProviderArn=_iam_arn(env, f"saml-provider/{PROBE_USER_NAME}")
    ),
    "iam:ListOpenIDConnectProviders": lambda env: env.client("iam").list_open_id_connect_providers(),
    "iam:GetOpenIDConnectProvider": lambda env: env.client("iam").get_open_id_connect_provider(
        OpenIDConnectProviderArn=_iam_arn(env, f"oidc-provider/{PROBE_USER_NAME}.invalid")
    ),
    "iam:ListVirtualMFADevices": lambda env: env.client("iam").list_virtual_mfa_devices(MaxItems=1),
    "iam:GetAccountPasswordPolicy": lambda env: env.client("iam").get_account_password_policy(),
    "iam:GetAccountSummary": lambda env: env.client("iam").get_account_summary(),
    # organizations
    "organizations:DescribeOrganization": lambda env: env.client("organizations").describe_organization(),
    "organizations:ListAccounts": lambda env: env.client("organizations").list_accounts(MaxResults=1),
    "organizations:ListRoots": _list_roots,
    "organizations:ListOrganizationalUnitsForParent": lambda env: env.client(
        "organizations"
    ).list_organizational_units_for_parent(ParentId=env.found.get("root", PLACEHOLDER_ROOT_ID), MaxResults=1),
    "organizations:ListAccountsForParent": lambda env: env.client("organizations").list_accounts_for_parent(
        ParentId=env.found.get("root", PLACEHOLDER_ROOT_ID), MaxResults=1
    ),
    "organizations:ListDelegatedAdministrators": lambda env: env.client(
        "organizations"
    ).list_delegated_administrators(MaxResults=1),
    "organizations:ListPolicies": _list_policies,
    "organizations:DescribePolicy": lambda env: env.client("organizations").describe_policy(
        PolicyId=env.found.get("scp", AWS_MANAGED_SCP_ID)
    ),
    "organizations:ListTargetsForPolicy": lambda env: env.client("organizations").list_targets_for_policy(
        PolicyId=env.found.get("scp", AWS_MANAGED_SCP_ID), MaxResults=1
    ),
    # identity_center (its home region)
    "sso:ListInstances": _list_instances,
    "sso:ListPermissionSets": _list_permission_sets,
    "sso:DescribePermissionSet": _on_permission_set("describe_permission_set"),
    "sso:ListManagedPoliciesInPermissionSet": _on_permission_set(
        "list_managed_policies_in_permission_set", paged=True
    ),
    "sso:ListCustomerManagedPolicyReferencesInPermissionSet": _on_permission_set(
        "list_customer_managed_policy_references_in_permission_set", paged=True
    ),
    "sso:GetInlinePolicyForPermissionSet": _on_permission_set("get_inline_policy_for_permission_set"),
    "sso:GetPermissionsBoundaryForPermissionSet": _on_permission_set(
        "get_permissions_boundary_for_permission_set"
    ),
    "sso:ListAccountsForProvisionedPermissionSet": _on_permission_set(
        "list_accounts_for_provisioned_permission_set", paged=True
    ),
    "sso:ListAccountAssignments": _on_permission_set("list_account_assignments", paged=True, in_account=True),
    "sso:ListApplications": _list_applications,
    "sso:GetApplicationAssignmentConfiguration": _on_application("get_application_assignment_configuration"),
    "sso:ListApplicationAssignments": _on_application("list_application_assignments", paged=True),
    "account-access:ListApplications": _list_access_applications,
    "account-access:GetApplication": _on_access_application("get_application"),
    "account-access:ListEntitlements": _on_access_application(
        "list_entitlements", filter={"principalRole": {}}, maxResults=1
    ),
    "sso:ListTrustedTokenIssuers": _list_trusted_token_issuers,
    "sso:DescribeTrustedTokenIssuer": lambda env: env.sso("sso-admin").describe_trusted_token_issuer(
        TrustedTokenIssuerArn=env.found.get("trusted_token_issuer") or _placeholder(env, "issuer")
    ),
    "identitystore:ListUsers": lambda env: env.sso("identitystore").list_users(
        IdentityStoreId=env.need("identity_store", "identity store"), MaxResults=1
    ),
    "identitystore:ListGroups": _list_groups,
    "sso:ListAccountAssignmentsForPrincipal": lambda env: env.sso(
        "sso-admin"
    ).list_account_assignments_for_principal(
        InstanceArn=env.need("instance", "Identity Center instance"),
        PrincipalId=env.need("group", "identity-store group"),
        PrincipalType="GROUP",
        MaxResults=1,
    ),
    "identitystore:ListGroupMemberships": lambda env: env.sso("identitystore").list_group_memberships(
        IdentityStoreId=env.need("identity_store", "identity store"),
        GroupId=env.need("group", "identity-store group"),
        MaxResults=1,
    ),
    # ec2 (one region)
    "ec2:DescribeRegions": _ec2("describe_regions"),
    "ec2:DescribeInstances": _ec2("describe_instances", MaxResults=5),
    "ec2:DescribeVpcs": _ec2("describe_vpcs", MaxResults=5),
    "ec2:DescribeSubnets": _ec2("describe_subnets", MaxResults=5),
    "ec2:DescribeSecurityGroups": _ec2("describe_security_groups", MaxResults=5),
    "ec2:DescribeSecurityGroupRules": _ec2("describe_security_group_rules", MaxResults=5),
    "ec2:DescribeNetworkInterfaces": _ec2("describe_network_interfaces", MaxResults=5),
    "ec2:DescribeRouteTables": _ec2("describe_route_tables", MaxResults=5),
    "ec2:DescribeInternetGateways": _ec2("describe_internet_gateways", MaxResults=5),
    "ec2:DescribeNatGateways": _ec2("describe_nat_gateways", MaxResults=5),
    "ec2:DescribeVpcPeeringConnections": _ec2("describe_vpc_peering_connections", MaxResults=5),
    "ec2:DescribeVolumes": _ec2("describe_volumes", MaxResults=5),
    "ec2:DescribeSnapshots": _ec2("describe_snapshots", OwnerIds=["self"], MaxResults=5),
    "ec2:DescribeSnapshotAttribute": _ec2(
        "describe_snapshot_attribute", SnapshotId=PLACEHOLDER_SNAPSHOT_ID, Attribute="createVolumePermission"
    ),
    "ec2:DescribeImages": _ec2("describe_images", Owners=["self"], MaxResults=5),
    "ec2:DescribeImageAttribute": _ec2(
        "describe_image_attribute", ImageId=PLACEHOLDER_IMAGE_ID, Attribute="launchPermission"
    ),
    "ec2:DescribeKeyPairs": _ec2("describe_key_pairs"),
    "ec2:DescribeLaunchTemplates": _ec2("describe_launch_templates", MaxResults=5),
    "ec2:DescribeLaunchTemplateVersions": _ec2(
        "describe_launch_template_versions", Versions=["$Default"], MaxResults=5
    ),
    "ec2:DescribeAddresses": _ec2("describe_addresses"),
    "ec2:GetEbsEncryptionByDefault": _ec2("get_ebs_encryption_by_default"),
    "ec2:GetSnapshotBlockPublicAccessState": _ec2("get_snapshot_block_public_access_state"),
    "ec2:GetImageBlockPublicAccessState": _ec2("get_image_block_public_access_state"),
    "ec2:GetInstanceMetadataDefaults": _ec2("get_instance_metadata_defaults"),
    "ec2:GetSerialConsoleAccessStatus": _ec2("get_serial_console_access_status"),
    "ec2:DescribeNetworkAcls": _ec2("describe_network_acls", MaxResults=5),
    "ec2:DescribeVpcEndpoints": _ec2("describe_vpc_endpoints", MaxResults=5),
    "ec2:DescribeVpcEndpointServiceConfigurations": _ec2(
        "describe_vpc_endpoint_service_configurations", MaxResults=5
    ),
    "ec2:DescribeVpcEndpointServicePermissions": _ec2(
        "describe_vpc_endpoint_service_permissions", ServiceId=PLACEHOLDER_ENDPOINT_SERVICE_ID, MaxResults=5
    ),
    "ec2:DescribeTransitGateways": _ec2("describe_transit_gateways", MaxResults=5),
    "ec2:DescribeTransitGatewayAttachments": _ec2("describe_transit_gateway_attachments", MaxResults=5),
    "ec2:DescribeTransitGatewayRouteTables": _ec2("describe_transit_gateway_route_tables", MaxResults=5),
    "ec2:DescribeEgressOnlyInternetGateways": _ec2("describe_egress_only_internet_gateways", MaxResults=5),
    "ec2:DescribeManagedPrefixLists": _ec2("describe_managed_prefix_lists", MaxResults=5),
    "ec2:DescribeFlowLogs": _ec2("describe_flow_logs", MaxResults=5),
    "ec2:DescribeVpnGateways": _ec2("describe_vpn_gateways"),
    "ec2:DescribeCustomerGateways": _ec2("describe_customer_gateways"),
    "ec2:DescribeVpnConnections": _ec2("describe_vpn_connections"),
    "ec2:DescribeInstanceConnectEndpoints": _ec2("describe_instance_connect_endpoints", MaxResults=5),
    # cloudtrail (one region)
    "cloudtrail:LookupEvents": lambda env: env.client("cloudtrail", env.region).lookup_events(MaxResults=1),
    "cloudtrail:DescribeTrails": lambda env: env.client("cloudtrail", env.region).describe_trails(
        includeShadowTrails=False
    ),
    # A trail that does not exist: TrailNotFoundException comes only after authorization.
    "cloudtrail:GetEventSelectors": lambda env: env.client("cloudtrail", env.region).get_event_selectors(
        TrailName=PROBE_USER_NAME
    ),
}


def run_probe(action: str, env: ProbeEnv) -> ProbeResult:
    """Make one probe and judge the answer."""
    if action in NOT_PROBED:
        return ProbeResult(action, Verdict.UNVERIFIED, NOT_PROBED[action])
    probe = PROBES.get(action)
    if probe is None:
        return ProbeResult(action, Verdict.UNVERIFIED, "no probe declared for this action")
    try:
        probe(env)
    except CannotProbeError as reason:
        return ProbeResult(action, Verdict.UNVERIFIED, str(reason))
    except ClientError as exc:
        return judge(action, exc)
    except BotoCoreError as exc:
        return ProbeResult(action, Verdict.UNVERIFIED, f"{type(exc).__name__}: {exc}")
    return ProbeResult(action, Verdict.ALLOWED, "allowed")


def judge(action: str, exc: ClientError) -> ProbeResult:
    """What an error answer to a probe says about the action."""
    code = error_code(exc) or ""
    message = str(exc.response.get("Error", {}).get("Message", ""))
    if code in DENIED_CODES:
        return ProbeResult(action, Verdict.DENIED, f"{code}: {message}")
    if code in AFTER_AUTHORIZATION:
        return ProbeResult(action, Verdict.ALLOWED, f"authorized (the service answered {code})")
    return ProbeResult(action, Verdict.UNVERIFIED, f"{code}: {message}")


def family_permissions(feature: Feature) -> tuple[Permission, ...]:
    """The catalog's permissions of one fetcher family, in the probes' call order."""
    declared = {p.action: p for f in CATALOG if f.feature is feature for p in f.permissions}
    order = {action: index for index, action in enumerate((*PROBES, *NOT_PROBED))}
    return tuple(sorted(declared.values(), key=lambda p: order.get(p.action, len(order))))


def probe_family(feature: Feature, env: ProbeEnv) -> tuple[ProbeResult, ...]:
    return tuple(run_probe(p.action, env) for p in family_permissions(feature))
