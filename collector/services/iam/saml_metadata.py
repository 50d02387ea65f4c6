"""A SAML provider's metadata document: the IdP's entity ID, SSO URLs and signing certificates' expiry.

Pure and offline: the document comes from GetSAMLProvider, nothing is ever fetched. It is parsed with the
standard library's expat, hardened: a document that declares a DOCTYPE (hence any entity, internal or
external) is refused before any expansion, so neither "billion laughs" nor external entities can happen.
The certificates' expiry is read from their DER with a small walker (the collector depends on boto3 only).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.parsers import expat

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
_SEP = "|"  # between a namespace and a local name in expat's names


class MetadataError(ValueError):
    """The metadata document cannot be read; the message says why."""


@dataclass(frozen=True)
class SamlMetadata:
    entity_id: str | None
    sso_urls: tuple[str, ...]
    certificate_expiries: tuple[str, ...]  # ISO 8601, sorted; one per signing certificate


@dataclass
class _Walk:
    """What the expat handlers collect while the document streams by."""

    stack: list[str] = field(default_factory=list)
    entity_id: str | None = None
    sso_urls: list[str] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    signing_key: list[bool] = field(default_factory=list)  # per open KeyDescriptor: is it for signing
    text: list[str] | None = None  # collecting an X509Certificate's text

    def in_idp(self) -> bool:
        return f"{MD}{_SEP}IDPSSODescriptor" in self.stack

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.stack.append(name)
        if name == f"{MD}{_SEP}EntityDescriptor" and self.entity_id is None:
            self.entity_id = attrs.get("entityID")
        elif name == f"{MD}{_SEP}SingleSignOnService" and self.in_idp() and attrs.get("Location"):
            self.sso_urls.append(attrs["Location"])
        elif name == f"{MD}{_SEP}KeyDescriptor":
            # No "use" means the key serves both signing and encryption.
            self.signing_key.append(self.in_idp() and attrs.get("use", "signing") == "signing")
        elif name == f"{DS}{_SEP}X509Certificate" and self.signing_key and self.signing_key[-1]:
            self.text = []

    def end(self, name: str) -> None:
        self.stack.pop()
        if name == f"{MD}{_SEP}KeyDescriptor":
            self.signing_key.pop()
        elif name == f"{DS}{_SEP}X509Certificate" and self.text is not None:
            self.certificates.append("".join(self.text))
            self.text = None

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def _refuse(*_: object) -> int:
    raise MetadataError("the document declares a DOCTYPE or entities, which SAML metadata never needs")


def parse_metadata(document: str) -> SamlMetadata:
    """The IdP facts of a SAML 2.0 metadata document (its EntityDescriptor, or the first one inside an
    EntitiesDescriptor)."""
    walk = _Walk()
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = walk.start
    parser.EndElementHandler = walk.end
    parser.CharacterDataHandler = walk.chars
    try:
        parser.Parse(document.encode("utf-8"), True)
    except expat.ExpatError as exc:
        raise MetadataError(f"not well-formed XML: {exc}") from exc
    if walk.entity_id is None:
        raise MetadataError("no md:EntityDescriptor with an entityID")
    expiries = sorted(certificate_not_after(text) for text in walk.certificates)
    return SamlMetadata(walk.entity_id, tuple(walk.sso_urls), tuple(expiries))


# --- X.509 notAfter from DER --------------------------------------------------------------------------------

_SEQUENCE = 0x30
_CONTEXT_0 = 0xA0  # [0] EXPLICIT Version
_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18


def _tlv(der: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at ``at``."""
    if at + 2 > len(der):
        raise MetadataError("certificate: truncated DER")
    tag, length = der[at], der[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or at + count > len(der):
            raise MetadataError("certificate: bad DER length")
        length = int.from_bytes(der[at : at + count], "big")
        at += count
    if at + length > len(der):
        raise MetadataError("certificate: truncated DER")
    return tag, at, at + length


def _time(tag: int, raw: bytes) -> datetime:
    text = raw.decode("ascii")
    if tag == _UTC_TIME:  # YYMMDDHHMMSSZ; RFC 5280: YY >= 50 is 19YY
        stamp = datetime.strptime(text, "%y%m%d%H%M%SZ")
        if stamp.year >= 2050:
            stamp = stamp.replace(year=stamp.year - 100)
    elif tag == _GENERALIZED_TIME:
        stamp = datetime.strptime(text, "%Y%m%d%H%M%SZ")
    else:
        raise MetadataError(f"certificate: validity time has tag {tag:#x}")
    return stamp.replace(tzinfo=UTC)


def certificate_not_after(text: str) -> str:
    """The notAfter of a base64 X.509 certificate (as in ds:X509Certificate), as ISO 8601 in UTC."""
    try:
        der = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MetadataError(f"certificate: not base64 ({exc})") from exc
    try:
        tag, start, _ = _tlv(der, 0)  # Certificate
        if tag != _SEQUENCE:
            raise MetadataError("certificate: not a DER SEQUENCE")
        tag, at, _ = _tlv(der, start)  # TBSCertificate
        if tag != _SEQUENCE:
            raise MetadataError("certificate: no TBSCertificate")
        tag, _, end = _tlv(der, at)
        if tag == _CONTEXT_0:  # version, then serialNumber
            tag, _, end = _tlv(der, end)
        for _field in ("signature", "issuer"):
            _, _, end = _tlv(der, end)
        tag, at, _ = _tlv(der, end)  # Validity
        if tag != _SEQUENCE:
            raise MetadataError("certificate: no Validity")
        _, _, at = _tlv(der, at)  # notBefore
        tag, start, end = _tlv(der, at)  # notAfter
        return _time(tag, der[start:end]).isoformat()
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, MetadataError):
            raise
        raise MetadataError(f"certificate: {exc}") from exc
