"""A whole customer for the demo and the end-to-end tests: the organization, its administrator (who deploys
the integration) and, in an account of its own, the vendor's principal (who collects)."""

from __future__ import annotations

from dataclasses import dataclass

from local_aws.emulator.client import LocalAwsClient
from local_aws.seed.administrator import Administrator, create_administrator
from local_aws.seed.scenario import Progress, quiet, seed_organization
from local_aws.seed.specs import OrganizationSpec
from local_aws.seed.truth import SeededOrganization
from local_aws.seed.vendor import VendorPrincipal, create_vendor_principal


@dataclass(frozen=True)
class SeededCustomer:
    organization: SeededOrganization
    administrator: Administrator  # in the management account
    vendor: VendorPrincipal  # outside the organization


def seed_customer(
    aws: LocalAwsClient, spec: OrganizationSpec | None = None, *, progress: Progress = quiet
) -> SeededCustomer:
    """Seed ``spec`` (default: the demo organization) into a reset server (which must load AWS-managed
    policies), then create the administrator and the vendor's principal. IAM enforcement stays as it was."""
    organization = seed_organization(aws, spec, progress=progress)
    administrator = create_administrator(aws.endpoint_url, organization.organization.management_account_id)
    return SeededCustomer(organization, administrator, create_vendor_principal(aws.endpoint_url))
