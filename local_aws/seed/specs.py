"""What to seed: frozen specs with presets (``demo()``: a small realistic org; ``sized(...)``: scale)."""

from __future__ import annotations

from dataclasses import dataclass, field

from collector import formats


def _at_least(value: int, minimum: int, setting: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise formats.InvalidSettingError(setting, value, f"an integer >= {minimum}")
    return value


@dataclass(frozen=True)
class IamSpec:
    """Per account; users spread over the groups, policies attached in a fixed pattern (see seed.iam)."""

    users: tuple[str, ...] = ("alice", "bob", "carol", "dave", "erin")
    groups: tuple[str, ...] = ("admins", "developers", "auditors")
    # Roles; the first is an EC2 role with an instance profile, the others trust a user of the account.
    roles: tuple[str, ...] = ("app-server", "ci-deployer", "break-glass")
    customer_policies: tuple[str, ...] = ("s3-reports-read", "ec2-operator", "deploy-pipeline")
    # AWS-managed policies attached to the first group and the first role (the server must load them:
    # LocalAws(load_aws_managed_policies=True)); empty to seed without them.
    aws_managed_policies: tuple[str, ...] = (
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/SecurityAudit",
    )
    access_keys_per_user: int = 1  # 0..2 (IAM's limit); a second key is Inactive

    def __post_init__(self) -> None:
        if not 0 <= self.access_keys_per_user <= 2:
            raise formats.InvalidSettingError("access_keys_per_user", self.access_keys_per_user, "0, 1 or 2")
        for name in (*self.users, *self.roles):
            formats.role_name(name, "IamSpec name")
        if self.users and not self.groups:
            raise formats.InvalidSettingError(
                "groups", self.groups, "at least one group when there are users"
            )

    @classmethod
    def sized(
        cls,
        *,
        users: int,
        groups: int = 5,
        roles: int = 10,
        customer_policies: int = 5,
        access_keys_per_user: int = 1,
        aws_managed_policies: tuple[str, ...] = ("arn:aws:iam::aws:policy/ReadOnlyAccess",),
    ) -> IamSpec:
        """Generated names (user-0001...), for benchmarks."""
        _at_least(users, 0, "users")
        _at_least(groups, 1 if users else 0, "groups")
        _at_least(roles, 0, "roles")
        _at_least(customer_policies, 1, "customer_policies")
        return cls(
            users=tuple(f"user-{i:04d}" for i in range(users)),
            groups=tuple(f"group-{i:02d}" for i in range(groups)),
            roles=tuple(f"role-{i:03d}" for i in range(roles)),
            customer_policies=tuple(f"policy-{i:02d}" for i in range(customer_policies)),
            aws_managed_policies=aws_managed_policies,
            access_keys_per_user=access_keys_per_user,
        )


# The management account holds little besides the organization: its administrators.
MANAGEMENT_IAM = IamSpec(users=("admin",), groups=("admins",), roles=(), customer_policies=("billing-read",))


PARTNER_ACCOUNT_ID = "777788889999"  # a third party outside the organization (neither vendor nor customer)


@dataclass(frozen=True)
class FederationSpec:
    """Per member account: identity providers and the roles they reach, roles trusting a partner account
    (with and without an ExternalId), the whole organization and the management account, virtual MFA devices
    and a password policy (see seed.federation)."""

    saml_providers: tuple[str, ...] = ("okta", "entra-id")
    oidc_providers: tuple[str, ...] = (
        "token.actions.githubusercontent.com",
        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
    )
    partner_account_id: str = PARTNER_ACCOUNT_ID
    mfa_users: int = 2  # the account's first users get a virtual MFA device each; one more stays unassigned
    password_policy: bool = True

    def __post_init__(self) -> None:
        _at_least(self.mfa_users, 0, "mfa_users")
        formats.account_id(self.partner_account_id, "partner_account_id")

    @classmethod
    def none(cls) -> FederationSpec:
        return cls(saml_providers=(), oidc_providers=(), mfa_users=0, password_policy=False)


@dataclass(frozen=True)
class Ec2Spec:
    """Per account and region, besides the default VPC AWS creates in every region."""

    vpcs: int = 1
    subnets_per_vpc: int = 2
    instances_per_subnet: int = 1
    security_groups_per_vpc: int = 2  # besides each VPC's default group; rules in a fixed pattern
    internet_gateway: bool = True  # one per VPC, with a public route table for its first subnet
    nat_gateway: bool = True  # one per VPC in its first subnet, with a private route table for the others

    def __post_init__(self) -> None:
        _at_least(self.vpcs, 0, "vpcs")
        _at_least(self.subnets_per_vpc, 1, "subnets_per_vpc")
        _at_least(self.instances_per_subnet, 0, "instances_per_subnet")
        _at_least(self.security_groups_per_vpc, 0, "security_groups_per_vpc")
        if self.subnets_per_vpc > 16:
            raise formats.InvalidSettingError(
                "subnets_per_vpc", self.subnets_per_vpc, "at most 16 (a /20 each)"
            )


@dataclass(frozen=True)
class PermissionSetSpec:
    name: str
    aws_managed_policies: tuple[str, ...] = ()
    # Customer-managed policy references (name, path); the seeder creates the policy in every assigned
    # account, as Identity Center requires.
    customer_managed_policies: tuple[tuple[str, str], ...] = ()
    inline_policy: bool = False
    # A policy ARN, or a customer-managed reference given as (name, path).
    permissions_boundary: str | tuple[str, str] | None = None
    session_duration: str = "PT1H"


@dataclass(frozen=True)
class IdentityCenterSpec:
    """Identity Center in the management account. Group i gets permission set i % n in every member account;
    the first user also gets the first permission set in the management account."""

    users: tuple[str, ...] = ("alice", "bob", "carol", "dave")
    groups: tuple[str, ...] = ("Administrators", "Developers", "Auditors")
    permission_sets: tuple[PermissionSetSpec, ...] = (
        PermissionSetSpec(
            "AdministratorAccess", aws_managed_policies=("arn:aws:iam::aws:policy/AdministratorAccess",)
        ),
        PermissionSetSpec(
            "Developer",
            aws_managed_policies=("arn:aws:iam::aws:policy/PowerUserAccess",),
            customer_managed_policies=(("developer-extras", "/"),),
            inline_policy=True,
            permissions_boundary=("developer-boundary", "/boundaries/"),
            session_duration="PT8H",
        ),
        PermissionSetSpec(
            "Auditor",
            aws_managed_policies=("arn:aws:iam::aws:policy/SecurityAudit",),
            inline_policy=True,
            permissions_boundary="arn:aws:iam::aws:policy/ReadOnlyAccess",
        ),
    )
    home_region: str = "us-east-1"
    # Customer-managed applications (the first requires an assignment) and trusted token issuers.
    applications: tuple[str, ...] = ("internal-wiki", "expense-reports")
    trusted_token_issuers: tuple[str, ...] = ("corp-idp",)
    # An Account Access Manager application with entitlements of a user and a group to member accounts' roles.
    account_access: bool = True

    def __post_init__(self) -> None:
        formats.region(self.home_region, "home_region")
        if not self.permission_sets:
            raise formats.InvalidSettingError("permission_sets", self.permission_sets, "at least one")
        if len(self.groups) < 1:
            raise formats.InvalidSettingError("groups", self.groups, "at least one group")

    @classmethod
    def sized(cls, *, users: int, groups: int) -> IdentityCenterSpec:
        _at_least(users, 1, "users")
        _at_least(groups, 1, "groups")
        return cls(
            users=tuple(f"sso-user-{i:04d}" for i in range(users)),
            groups=tuple(f"sso-group-{i:02d}" for i in range(groups)),
        )


@dataclass(frozen=True)
class OrganizationalUnitSpec:
    name: str
    parent: str | None = None  # another OU's name; None: the root


@dataclass(frozen=True)
class AccountSpec:
    name: str
    ou: str | None = None  # an OU's name; None: the root

    @property
    def email(self) -> str:
        return f"{self.name}@example.com"


@dataclass(frozen=True)
class CloudTrailSpec:
    """Synthetic management events per account and seeded region (besides those seeding records)."""

    events_per_account_region: int = 30
    days: int = 7  # spread over the last ``days`` days
    expired_events: int = 2  # older than 90 days: stored, never returned by LookupEvents
    seed: int = 7  # the random generator's seed: the same spec gives the same events (IDs aside)

    def __post_init__(self) -> None:
        _at_least(self.events_per_account_region, 0, "events_per_account_region")
        _at_least(self.expired_events, 0, "expired_events")
        if not 1 <= self.days <= 90:
            raise formats.InvalidSettingError("days", self.days, "1 to 90 (LookupEvents keeps 90 days)")


@dataclass(frozen=True)
class OrganizationSpec:
    """A whole organization; ``demo()`` is the small realistic one ``make demo`` shows."""

    organizational_units: tuple[OrganizationalUnitSpec, ...] = (
        OrganizationalUnitSpec("Workloads"),
        OrganizationalUnitSpec("Production", parent="Workloads"),
        OrganizationalUnitSpec("Sandbox"),
    )
    accounts: tuple[AccountSpec, ...] = (
        AccountSpec("prod", ou="Production"),
        AccountSpec("dev", ou="Workloads"),
        AccountSpec("sandbox", ou="Sandbox"),
    )
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1")
    iam: IamSpec = field(default_factory=IamSpec)
    management_iam: IamSpec = field(default_factory=lambda: MANAGEMENT_IAM)
    ec2: Ec2Spec = field(default_factory=Ec2Spec)
    # Member accounts also get seed_ec2_resources in every region (storage, images shared outside the
    # account, templates, settings, the wider network); needs a VPC with an instance (ec2.vpcs, instances).
    ec2_resources: bool = True
    identity_center: IdentityCenterSpec = field(default_factory=IdentityCenterSpec)
    cloudtrail: CloudTrailSpec = field(default_factory=CloudTrailSpec)
    federation: FederationSpec = field(default_factory=FederationSpec)  # in every member account
    # Enabled on the root and attached to the first OU (see seed.organization); empty: the type stays off.
    resource_control_policies: tuple[str, ...] = ("deny-s3-outside-organization",)

    def __post_init__(self) -> None:
        formats.regions(list(self.regions), "regions")
        ou_names = [ou.name for ou in self.organizational_units]
        if len(set(ou_names)) != len(ou_names):
            raise formats.InvalidSettingError("organizational_units", ou_names, "unique OU names")
        for ou in self.organizational_units:
            if ou.parent is not None and ou.parent not in ou_names[: ou_names.index(ou.name)]:
                raise formats.InvalidSettingError(
                    f"organizational_units[{ou.name}].parent", ou.parent, "the name of an OU listed before it"
                )
        for account in self.accounts:
            if account.ou is not None and account.ou not in ou_names:
                raise formats.InvalidSettingError(
                    f"accounts[{account.name}].ou", account.ou, f"one of {ou_names}"
                )
        names = [a.name for a in self.accounts]
        if len(set(names)) != len(names):
            raise formats.InvalidSettingError("accounts", names, "unique account names")

    @classmethod
    def demo(cls) -> OrganizationSpec:
        return cls()

    @classmethod
    def sized(
        cls,
        *,
        member_accounts: int,
        users_per_account: int,
        roles_per_account: int = 20,
        regions: tuple[str, ...] = ("us-east-1", "eu-west-1"),
        events_per_account_region: int = 200,
    ) -> OrganizationSpec:
        """A bigger organization for benchmarks: every member account in one OU, generated names."""
        _at_least(member_accounts, 1, "member_accounts")
        return cls(
            organizational_units=(OrganizationalUnitSpec("Members"),),
            accounts=tuple(AccountSpec(f"member-{i:03d}", ou="Members") for i in range(member_accounts)),
            regions=regions,
            iam=IamSpec.sized(users=users_per_account, roles=roles_per_account),
            identity_center=IdentityCenterSpec.sized(users=max(4, users_per_account // 10), groups=5),
            ec2_resources=False,  # keeps seeding a big organization as fast as it was
            cloudtrail=CloudTrailSpec(events_per_account_region=events_per_account_region),
        )
