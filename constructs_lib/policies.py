"""The role's policy documents, built from the permission catalog (collector.permissions).

Pure data and functions, no CDK: which statements the role gets (one Allow per service, one Deny of the
data-plane reads) and how they are packed into customer-managed policies that each stay under IAM's
6,144-character limit. The construct turns these into ``iam.ManagedPolicy`` resources.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from collector.formats import InvalidSettingError
from collector.permissions import Feature, actions_for, data_plane_deny_actions
from collector.services.cloudtrail.catalog import LOG_FILE_DECRYPT

# IAM quotas: a managed policy document may hold 6,144 characters (whitespace not counted) and a role may
# have 10 managed policies attached (the default quota; raising it is possible but not assumed).
POLICY_SIZE_LIMIT = 6144
MANAGED_POLICIES_PER_ROLE = 10
POLICY_VERSION = "2012-10-17"
DENY_SID = "DenyDataPlaneReads"


DECRYPT = "kms:Decrypt"
DECRYPT_VIA_SID = "DecryptViaIdentityCenter"
DENY_DECRYPT_SID = "DenyDecryptExceptViaIdentityCenter"
VIA_SERVICE_KEY = "kms:ViaService"
# The services that decrypt an Identity Center instance's data with its customer-managed key on the
# caller's behalf: the identity store (users, groups) and sso (the instance, permission sets).
IDENTITY_CENTER_DECRYPTING_SERVICES = ("identitystore", "sso")


@dataclass(frozen=True)
class Statement:
    """One policy statement: on every resource (``Resource: *``) unless ``resources`` or ``not_resources``
    name some, with an optional ``condition`` (IAM's Condition block)."""

    sid: str
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ("*",)
    not_resources: tuple[str, ...] = ()  # when given, instead of ``resources``
    condition: Mapping[str, Mapping[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"Sid": self.sid, "Effect": self.effect, "Action": list(self.actions)}
        if self.not_resources:
            body["NotResource"] = _one_or_list(self.not_resources)
        else:
            body["Resource"] = _one_or_list(self.resources)
        if self.condition:
            body["Condition"] = {op: dict(values) for op, values in self.condition.items()}
        return body


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


@dataclass(frozen=True)
class TrailLogGrant:
    """Where a trail's log files are, as a read grant names them (see constructs_lib.trail_logs)."""

    bucket_arn: str  # arn:<partition>:s3:::<bucket>
    logs_root: str  # [<prefix>/]AWSLogs/
    key_arn: str | None = None  # the trail's SSE-KMS key
    via_service: str | None = None  # s3.<the bucket's region>.amazonaws.com, with key_arn

    @property
    def objects_arn(self) -> str:
        return f"{self.bucket_arn}/{self.logs_root}*"


TRAIL_LOGS_SID = "ReadTrailLogs"


def trail_log_statements(grant: TrailLogGrant) -> tuple[Statement, ...]:
    """Read the trail's log files and nothing else of S3 or KMS: list only under the log prefix, get only
    objects under it, decrypt only with the trail's key and only through S3 in the bucket's region."""
    found = [
        Statement(
            f"{TRAIL_LOGS_SID}List",
            "Allow",
            ("s3:ListBucket",),
            (grant.bucket_arn,),
            condition={"StringLike": {"s3:prefix": [f"{grant.logs_root}*"]}},
        ),
        Statement(f"{TRAIL_LOGS_SID}Get", "Allow", ("s3:GetObject",), (grant.objects_arn,)),
    ]
    if grant.key_arn is not None:
        found.append(
            Statement(
                f"{TRAIL_LOGS_SID}Decrypt",
                "Allow",
                (LOG_FILE_DECRYPT,),
                (grant.key_arn,),
                condition={"StringEquals": {"kms:ViaService": grant.via_service}},
            )
        )
    return tuple(found)


def identity_center_via_services(home_region: str, url_suffix: str = "amazonaws.com") -> tuple[str, ...]:
    """The ``kms:ViaService`` values of Identity Center's services in its home region."""
    return tuple(f"{service}.{home_region}.{url_suffix}" for service in IDENTITY_CENTER_DECRYPTING_SERVICES)


def _sid(prefix: str, service: str) -> str:
    # Sids are alphanumeric: "identitystore" -> "Identitystore", "sso" -> "Sso".
    return prefix + "".join(part.capitalize() for part in service.replace("-", " ").split())


def allow_statements(features: Iterable[Feature]) -> tuple[Statement, ...]:
    """One Allow statement per service, in service order, with the catalog's actions for ``features``."""
    actions = sorted(actions_for(features), key=lambda a: (a.split(":", 1)[0], a))
    return tuple(
        Statement(_sid("Read", service), "Allow", tuple(group))
        for service, group in groupby(actions, key=lambda a: a.split(":", 1)[0])
    )


def deny_statement() -> Statement:
    """The explicit Deny of data-plane reads; it wins over any Allow attached to the role later."""
    return Statement(DENY_SID, "Deny", data_plane_deny_actions())


def deny_statements(
    grant: TrailLogGrant | None = None, decrypt_via: Sequence[str] = ()
) -> tuple[Statement, ...]:
    """The Deny of data-plane reads, narrowed by exactly what the role's grants allow (and only that).

    ``grant``: the trail's log files; object reads outside the log prefix, decryption with another key, or
    with the trail's key other than through S3 stay denied. ``decrypt_via`` (``kms:ViaService`` values of
    Identity Center's services): decryption only through them; a direct decrypt, or one through any other
    service, stays denied (the key is absent from a direct call, and StringNotEquals on an absent key is
    true). With both, another key only through Identity Center and the trail's key only through S3. Without
    either, the one statement of ``deny_statement``."""
    trail_key = grant is not None and grant.key_arn is not None
    narrowed = ({"s3:GetObject"} if grant is not None else set()) | (
        {LOG_FILE_DECRYPT} if trail_key or decrypt_via else set()
    )
    if not narrowed:
        return (deny_statement(),)
    found = [Statement(DENY_SID, "Deny", tuple(a for a in data_plane_deny_actions() if a not in narrowed))]
    if grant is not None:
        found.append(
            Statement(
                f"{DENY_SID}OutsideTrailLogs", "Deny", ("s3:GetObject",), not_resources=(grant.objects_arn,)
            )
        )
    via = {"StringNotEquals": {VIA_SERVICE_KEY: list(decrypt_via)}} if decrypt_via else None
    if grant is not None and grant.key_arn is not None:
        found += [
            # Another key: denied, or (with decrypt_via) allowed only through Identity Center.
            Statement(
                DENY_DECRYPT_SID if decrypt_via else f"{DENY_SID}OtherKeys",
                "Deny",
                (LOG_FILE_DECRYPT,),
                not_resources=(grant.key_arn,),
                condition=via,
            ),
            Statement(
                f"{DENY_SID}TrailKeyOutsideS3",
                "Deny",
                (LOG_FILE_DECRYPT,),
                (grant.key_arn,),
                condition={"StringNotEquals": {VIA_SERVICE_KEY: grant.via_service}},
            ),
        ]
    elif decrypt_via:
        found.append(Statement(DENY_DECRYPT_SID, "Deny", (DECRYPT,), condition=via))
    return tuple(found)


def decrypt_via_statement(decrypt_via: Sequence[str]) -> Statement:
    """``kms:Decrypt`` only when one of ``decrypt_via`` calls KMS for the role (an instance encrypted with a
    customer-managed key: the identity store decrypts its users and groups for the reader)."""
    return Statement(
        DECRYPT_VIA_SID, "Allow", (DECRYPT,), condition={"StringEquals": {VIA_SERVICE_KEY: list(decrypt_via)}}
    )


def document(statements: Sequence[Statement]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": [s.to_json() for s in statements]}


def document_size(statements: Sequence[Statement]) -> int:
    """Characters IAM counts for the document (it ignores whitespace, so measure it minified)."""
    return len(json.dumps(document(statements), separators=(",", ":")))


def _split_statement(statement: Statement, limit: int) -> list[Statement]:
    """Cut one statement too large for a document into parts that each fit (Sid gets a part number)."""
    parts: list[list[str]] = [[]]
    for action in statement.actions:
        # Measured with the part's Sid (a longer one): a part that fits here still fits once numbered.
        sid = f"{statement.sid}Part{len(parts)}"
        candidate = Statement(sid, statement.effect, (*parts[-1], action))
        if parts[-1] and document_size([candidate]) > limit:
            parts.append([])
        parts[-1].append(action)
    if len(parts) == 1:
        return [statement]
    return [
        Statement(f"{statement.sid}Part{i}", statement.effect, tuple(p)) for i, p in enumerate(parts, start=1)
    ]


def pack(
    statements: Sequence[Statement], limit: int = POLICY_SIZE_LIMIT
) -> tuple[tuple[Statement, ...], ...]:
    """Pack statements, in order, into as few documents as fit ``limit`` characters each.

    Order is kept (first fit on the last document only), so the same catalog always yields the same
    documents: adding one action changes as few policies as possible.
    """
    documents: list[list[Statement]] = []
    for whole in statements:
        for statement in _split_statement(whole, limit):
            if documents and document_size([*documents[-1], statement]) <= limit:
                documents[-1].append(statement)
            else:
                if document_size([statement]) > limit:
                    raise ValueError(f"{statement.actions[0]!r} alone exceeds a policy of {limit} characters")
                documents.append([statement])
    return tuple(tuple(d) for d in documents)


def read_only_documents(
    features: Iterable[Feature], limit: int = POLICY_SIZE_LIMIT
) -> tuple[tuple[Statement, ...], ...]:
    """The Allow documents of the role for ``features``; raises if they need more policies than IAM allows."""
    documents = pack(allow_statements(features), limit)
    # One more managed policy holds the Deny; SecurityAudit, when opted in, is checked by the construct.
    if len(documents) + 1 > MANAGED_POLICIES_PER_ROLE:
        raise InvalidSettingError(
            "features",
            sorted(set(features)),
            f"features whose actions fit {MANAGED_POLICIES_PER_ROLE - 1} policies of {limit} characters "
            f"(they need {len(documents)})",
        )
    return documents
