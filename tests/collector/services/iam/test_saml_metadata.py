"""SAML metadata: the IdP's facts, certificates' expiry read from DER, and hostile documents refused."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from collector.services.iam.saml_metadata import MetadataError, certificate_not_after, parse_metadata


def certificate(not_after: datetime) -> str:
    """A self-signed certificate, base64 DER as metadata carries it (cryptography writes X.509 v3)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - timedelta(days=365))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def metadata(*, entity: str = "https://idp.example.com/saml", keys: str = "", sso: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f"{keys}{sso}"
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


def key_descriptor(cert: str, use: str | None = "signing") -> str:
    attribute = f' use="{use}"' if use else ""
    # Line breaks inside the base64 text, as real metadata has them.
    wrapped = "\n".join(cert[i : i + 64] for i in range(0, len(cert), 64))
    return (
        f"<md:KeyDescriptor{attribute}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n{wrapped}\n"
        "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    )


def sso_service(location: str) -> str:
    return (
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{location}"/>'
    )


SOON = datetime(2027, 3, 1, 12, 0, 0, tzinfo=UTC)
LATER = datetime(2031, 6, 30, 23, 59, 59, tzinfo=UTC)
FAR = datetime(2055, 1, 1, tzinfo=UTC)  # after 2049: GeneralizedTime, not UTCTime


def test_entity_id_sso_urls_and_signing_certificates_expiry() -> None:
    doc = metadata(
        keys=key_descriptor(certificate(LATER))
        + key_descriptor(certificate(SOON), use=None)  # no "use": signing and encryption
        + key_descriptor(certificate(FAR), use="encryption"),
        sso=sso_service("https://idp.example.com/sso/redirect")
        + sso_service("https://idp.example.com/sso/post"),
    )
    found = parse_metadata(doc)
    assert found.entity_id == "https://idp.example.com/saml"
    assert found.sso_urls == ("https://idp.example.com/sso/redirect", "https://idp.example.com/sso/post")
    assert found.certificate_expiries == (SOON.isoformat(), LATER.isoformat())


def test_generalized_time_after_2049_is_read() -> None:
    assert certificate_not_after(certificate(FAR)) == FAR.isoformat()


def test_first_entity_of_an_entities_descriptor() -> None:
    inner = metadata(entity="https://first.example.com").split("?>", 1)[1]
    doc = (
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
        f"{inner}{inner.replace('first', 'second')}</md:EntitiesDescriptor>"
    )
    assert parse_metadata(doc).entity_id == "https://first.example.com"


def test_keys_outside_the_idp_descriptor_are_not_the_idps() -> None:
    sp_key = key_descriptor(certificate(SOON))
    doc = metadata(keys=key_descriptor(certificate(LATER))).replace(
        "</md:IDPSSODescriptor>",
        f'</md:IDPSSODescriptor><md:SPSSODescriptor protocolSupportEnumeration="x">{sp_key}'
        "</md:SPSSODescriptor>",
    )
    assert parse_metadata(doc).certificate_expiries == (LATER.isoformat(),)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol2;"/>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&ext;"/>'
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://attacker.invalid/x.dtd">'
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"/>'
)


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_doctypes_and_entities_are_refused_before_any_expansion(doc: str) -> None:
    with pytest.raises(MetadataError, match="DOCTYPE"):
        parse_metadata(doc)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("<not closed", "not well-formed"),
        ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>', "entityID"),
        ("<EntityDescriptor entityID='no namespace'/>", "entityID"),
        (metadata(keys=key_descriptor("bm90IGEgY2VydGlmaWNhdGU=")), "certificate"),
        (metadata(keys=key_descriptor("%%%")), "base64"),
    ],
)
def test_unreadable_documents_say_why(doc: str, message: str) -> None:
    with pytest.raises(MetadataError, match=message):
        parse_metadata(doc)


def test_truncated_certificate_is_an_error_not_a_crash() -> None:
    der = base64.b64decode(certificate(SOON))
    with pytest.raises(MetadataError, match="truncated"):
        certificate_not_after(base64.b64encode(der[:40]).decode())
