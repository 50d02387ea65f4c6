"""Seed one member account's federation and trust edges: SAML and OIDC providers with a role each, roles
trusting a partner account (with and without an ExternalId), the whole organization (``*`` pinned by
``aws:PrincipalOrgID``) and the management account; virtual MFA devices; a password policy.

Returns the truth, trust edges included with the conclusions a collector must draw from them.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from local_aws.seed.sessions import AccountSession
from local_aws.seed.specs import FederationSpec
from local_aws.seed.truth import (
    FederationTruth,
    IamTruth,
    OrganizationTruth,
    RoleTruth,
    SamlProviderTruth,
    TrustEdgeTruth,
)

CERTIFICATE_EXPIRY = datetime(2031, 5, 17, 8, 0, 0, tzinfo=UTC)
PARTNER_EXTERNAL_ID = "partner-external-id-0001"
_SAML_AUDIENCE = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}


def _certificate(common_name: str) -> str:
    """A self-signed signing certificate, base64 DER, as SAML metadata carries it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(CERTIFICATE_EXPIRY - timedelta(days=3650))
        .not_valid_after(CERTIFICATE_EXPIRY)
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def saml_metadata(entity_id: str, sso_url: str, certificate: str) -> str:
    """An IdP's SAML 2.0 metadata document (IAM wants 1,000 characters or more; a certificate has them)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">'
        '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
        f"<ds:X509Certificate>{certificate}</ds:X509Certificate>"
        "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{sso_url}"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


@dataclass(frozen=True)
class _TrustedRole:
    name: str
    principal: dict[str, Any] | str
    action: str | list[str]
    condition: dict[str, Any] | None
    edges: tuple[tuple[str, str, bool | None, bool], ...]  # (type, principal, external, ExternalId required)


def _document(role: _TrustedRole) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": role.principal, "Action": role.action}
    if role.condition:
        statement["Condition"] = role.condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def seed_federation(
    account: AccountSession, spec: FederationSpec, organization: OrganizationTruth, users: tuple[str, ...]
) -> tuple[FederationTruth, IamTruth]:
    """Create ``spec``'s federation in the account; returns its truth and the roles it added (IAM truth)."""
    iam = account.client("iam")
    account_id = account.account_id
    roles: list[_TrustedRole] = []

    saml: list[SamlProviderTruth] = []
    for name in spec.saml_providers:
        entity_id, sso_url = f"https://{name}.idp.example.com/saml", f"https://{name}.idp.example.com/sso"
        document = saml_metadata(entity_id, sso_url, _certificate(f"{name}.idp.example.com"))
        arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=document)["SAMLProviderArn"]
        saml.append(SamlProviderTruth(arn, entity_id, sso_url, CERTIFICATE_EXPIRY.isoformat()))
        roles.append(
            _TrustedRole(
                f"saml-{name}",
                {"Federated": arn},
                "sts:AssumeRoleWithSAML",
                _SAML_AUDIENCE,
                (("Federated", arn, False, False),),
            )
        )

    oidc: list[str] = []
    for index, url in enumerate(spec.oidc_providers):
        arn = iam.create_open_id_connect_provider(
            Url=f"https://{url}",
            ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
        )["OpenIDConnectProviderArn"]
        oidc.append(arn)
        audience = {"StringEquals": {f"{url}:aud": "sts.amazonaws.com"}}
        roles.append(
            _TrustedRole(
                f"oidc-{index}",
                {"Federated": arn},
                "sts:AssumeRoleWithWebIdentity",
                audience,
                (("Federated", arn, False, False),),
            )
        )

    partner = spec.partner_account_id
    partner_root = f"arn:aws:iam::{partner}:root"
    management_root = f"arn:aws:iam::{organization.management_account_id}:root"
    roles += [
        _TrustedRole(
            "partner-with-external-id",
            {"AWS": partner_root},
            "sts:AssumeRole",
            {"StringEquals": {"sts:ExternalId": PARTNER_EXTERNAL_ID}},
            (("AWS", partner_root, True, True),),
        ),
        # A bare account ID, as people write it: that account's root.
        _TrustedRole(
            "partner-without-external-id",
            {"AWS": partner},
            "sts:AssumeRole",
            None,
            (("AWS", partner, True, False),),
        ),
        _TrustedRole(
            "organization-wide",
            {"AWS": "*"},
            "sts:AssumeRole",
            {"StringEquals": {"aws:PrincipalOrgID": organization.organization_id}},
            (("AWS", "*", False, False),),
        ),
        _TrustedRole(
            "from-management",
            {"AWS": management_root, "Service": "lambda.amazonaws.com"},
            ["sts:AssumeRole", "sts:TagSession"],
            None,
            (("AWS", management_root, False, False), ("Service", "lambda.amazonaws.com", None, False)),
        ),
    ]
    created: list[RoleTruth] = []
    edges: list[TrustEdgeTruth] = []
    for role in roles:
        made = iam.create_role(RoleName=role.name, AssumeRolePolicyDocument=_document(role))["Role"]
        created.append(RoleTruth(role.name, made["Arn"], made["Path"], tuple(e[1] for e in role.edges)))
        edges += [
            TrustEdgeTruth(made["Arn"], kind, who, ext, needs_id) for kind, who, ext, needs_id in role.edges
        ]

    devices: list[tuple[str, str | None]] = []
    for user in users[: spec.mfa_users]:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{user}-mfa")["VirtualMFADevice"][
            "SerialNumber"
        ]
        iam.enable_mfa_device(
            UserName=user, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
        devices.append((serial, user))
    if spec.mfa_users:
        spare = iam.create_virtual_mfa_device(VirtualMFADeviceName="unassigned-spare")["VirtualMFADevice"]
        devices.append((spare["SerialNumber"], None))

    if spec.password_policy:
        iam.update_account_password_policy(
            MinimumPasswordLength=14,
            RequireSymbols=True,
            RequireNumbers=True,
            RequireUppercaseCharacters=True,
            RequireLowercaseCharacters=True,
            AllowUsersToChangePassword=True,
            MaxPasswordAge=90,
            PasswordReusePrevention=24,
        )
    federation = FederationTruth(
        account_id=account_id,
        saml_providers=tuple(sorted(saml, key=lambda p: p.arn)),
        oidc_providers=tuple(sorted(oidc)),
        mfa_devices=tuple(sorted(devices)),
        password_policy=spec.password_policy,
        trust_edges=tuple(sorted(edges, key=lambda e: (e.role_arn, e.principal_type, e.principal))),
    )
    return federation, IamTruth(account_id=account_id, roles=tuple(sorted(created, key=lambda r: r.name)))
