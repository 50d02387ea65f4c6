"""Seed the local AWS with an organization and return the ground truth tests compare collected data to.

``seed_organization(aws, OrganizationSpec.demo())`` does everything; the per-service functions seed one
account (or region) for tests that need less.
"""

from local_aws.seed.account_access import seed_account_access
from local_aws.seed.administrator import ADMINISTRATOR_USER_NAME, Administrator, create_administrator
from local_aws.seed.cloudtrail import cloudtrail_snapshot, seed_cloudtrail, synthetic_events
from local_aws.seed.customer import SeededCustomer, seed_customer
from local_aws.seed.ec2 import peer_vpcs, seed_ec2
from local_aws.seed.ec2_resources import seed_ec2_resources
from local_aws.seed.federation import seed_federation
from local_aws.seed.iam import seed_iam
from local_aws.seed.identity_center import SSO_ROLE_PREFIX, seed_identity_center, sso_role_path
from local_aws.seed.organization import create_organization
from local_aws.seed.scenario import AwsManagedPoliciesMissingError, seed_organization
from local_aws.seed.sessions import AccountSession, account_session, management_session, member_session
from local_aws.seed.specs import (
    AccountSpec,
    CloudTrailSpec,
    Ec2Spec,
    FederationSpec,
    IamSpec,
    IdentityCenterSpec,
    OrganizationalUnitSpec,
    OrganizationSpec,
    PermissionSetSpec,
)
from local_aws.seed.trail import TrailTruth, seed_organization_trail
from local_aws.seed.truth import (
    AccessKeyTruth,
    AccountAccessTruth,
    AccountTruth,
    ApplicationIssuerTruth,
    ApplicationTruth,
    AssignmentTruth,
    CloudTrailTruth,
    Ec2RegionTruth,
    Ec2ResourcesTruth,
    EntitlementTruth,
    FederationTruth,
    Grant,
    IamTruth,
    IdentityCenterTruth,
    InlinePolicy,
    OrganizationalUnitTruth,
    OrganizationTruth,
    PermissionSetTruth,
    PolicyAttachment,
    ProvisionedRoleTruth,
    ResourceControlPolicyTruth,
    RoleTruth,
    SamlProviderTruth,
    SeededOrganization,
    TrustEdgeTruth,
)
from local_aws.seed.vendor import VENDOR_ACCOUNT_ID, VendorPrincipal, create_vendor_principal

__all__ = [
    "ADMINISTRATOR_USER_NAME",
    "SSO_ROLE_PREFIX",
    "VENDOR_ACCOUNT_ID",
    "AccessKeyTruth",
    "AccountAccessTruth",
    "AccountSession",
    "AccountSpec",
    "AccountTruth",
    "Administrator",
    "ApplicationIssuerTruth",
    "ApplicationTruth",
    "AssignmentTruth",
    "AwsManagedPoliciesMissingError",
    "CloudTrailSpec",
    "CloudTrailTruth",
    "Ec2RegionTruth",
    "Ec2ResourcesTruth",
    "Ec2Spec",
    "EntitlementTruth",
    "FederationSpec",
    "FederationTruth",
    "Grant",
    "IamSpec",
    "IamTruth",
    "IdentityCenterSpec",
    "IdentityCenterTruth",
    "InlinePolicy",
    "OrganizationSpec",
    "OrganizationTruth",
    "OrganizationalUnitSpec",
    "OrganizationalUnitTruth",
    "PermissionSetSpec",
    "PermissionSetTruth",
    "PolicyAttachment",
    "ProvisionedRoleTruth",
    "ResourceControlPolicyTruth",
    "RoleTruth",
    "SamlProviderTruth",
    "SeededCustomer",
    "SeededOrganization",
    "TrailTruth",
    "TrustEdgeTruth",
    "VendorPrincipal",
    "account_session",
    "cloudtrail_snapshot",
    "create_administrator",
    "create_organization",
    "create_vendor_principal",
    "management_session",
    "member_session",
    "peer_vpcs",
    "seed_account_access",
    "seed_cloudtrail",
    "seed_customer",
    "seed_ec2",
    "seed_ec2_resources",
    "seed_federation",
    "seed_iam",
    "seed_identity_center",
    "seed_organization",
    "seed_organization_trail",
    "sso_role_path",
    "synthetic_events",
]
