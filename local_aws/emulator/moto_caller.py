"""Who is calling, decided the way moto decides it: for emulated operations and for recorded events.

moto maps a request to an account in ``BaseResponse.get_current_account`` (MOTO_ACCOUNT_ID, then the
``x-moto-account-id`` header, then the access key: an IAM user's key or an assumed-role session's key
belongs to its own account, any other key to the default account 123456789012). Its IAM enforcement lives in
``BaseResponse._authenticate_and_authorize_normal_action``. Emulated operations reuse both through a
``BaseResponse`` subclass, so they behave like moto's own services. Runs in the server process only.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from moto.core.request import Request
from moto.core.responses import BaseResponse
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition

from local_aws.emulator.cloudtrail.events import IdentityType, UserIdentity


@dataclass(frozen=True)
class CredentialScope:
    """The SigV4 ``Credential=`` scope of a request: key/date/region/service/aws4_request."""

    access_key_id: str
    region: str
    service: str


def credential_scope(environ: Mapping[str, Any]) -> CredentialScope | None:
    """The request's SigV4 scope; None for an unsigned (or not SigV4-signed) request."""
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    if not auth.startswith("AWS4-HMAC-SHA256"):
        return None
    credential = auth.partition("Credential=")[2].partition(",")[0]
    parts = credential.split("/")
    if len(parts) != 5:
        return None
    return CredentialScope(access_key_id=parts[0], region=parts[2], service=parts[3])


@dataclass(frozen=True)
class Caller:
    """The caller of one request: its account, the region and service it signed for, and who it is."""

    account_id: str
    region: str
    service: str
    identity: UserIdentity


class _EmulatedOperation(BaseResponse):
    """moto's request set-up and IAM check for an operation that moto itself does not implement."""


def _identity(account_id: str, access_key_id: str, region: str) -> UserIdentity:
    partition = get_partition(region)
    session = sts_backends[account_id][partition].get_assumed_role_from_access_key(access_key_id)
    if session is not None:
        try:
            role_id = iam_backends[account_id][partition].get_role_by_arn(session.role_arn).id
        except Exception:  # the role was deleted after the session was issued
            role_id = None
        identity = UserIdentity.from_arn(
            session.arn, principal_id=f"{role_id}:{session.session_name}" if role_id else None
        )
        return UserIdentity(
            IdentityType.ASSUMED_ROLE,
            account_id,
            session.arn,
            identity.principal_id,
            access_key_id,
            session_issuer_arn=session.role_arn,  # keeps the role's path
            session_issuer_principal_id=identity.session_issuer_principal_id,
        )
    user = iam_backends[account_id][partition].get_user_from_access_key_id(access_key_id)
    if user is not None:
        return UserIdentity.from_arn(user.arn, principal_id=user.id, access_key_id=access_key_id)
    # moto's placeholder keys act as the account itself (GetCallerIdentity says "user/moto").
    return UserIdentity.root(account_id, partition, access_key_id=access_key_id)


def identify(environ: Mapping[str, Any]) -> Caller | None:
    """The caller of a SigV4-signed request, without any IAM check (for recording events)."""
    scope = credential_scope(environ)
    if scope is None:
        return None
    probe = _EmulatedOperation()
    probe.headers = Request(dict(environ)).headers
    probe.querystring = {}
    account_id = probe.get_current_account()
    return Caller(
        account_id, scope.region, scope.service, _identity(account_id, scope.access_key_id, scope.region)
    )


def authorize(environ: Mapping[str, Any], body: bytes, service_name: str, *, rest: bool = False) -> Caller:
    """Run moto's request set-up and IAM check for an emulated operation.

    Raises werkzeug's HTTPException (moto's AccessDenied, InvalidClientTokenId, SignatureDoesNotMatch) when
    IAM enforcement is on and the caller may not call the operation, exactly as for moto's own services.
    ``rest``: a REST protocol request (the operation from its method and path): its signed payload is its
    body only, while moto would sign a body-less GET as if its query or headers were a form body.
    """
    scope = credential_scope(environ)
    request_environ = dict(environ)
    request_environ["wsgi.input"] = io.BytesIO(body)
    operation = _EmulatedOperation(service_name)
    operation.setup_class(Request(request_environ))
    if rest:
        operation.data = {}
    operation._authenticate_and_authorize_normal_action()
    region = scope.region if scope else operation.region
    access_key_id = scope.access_key_id if scope else operation.get_access_key()
    account_id = operation.current_account
    return Caller(account_id, region, service_name, _identity(account_id, access_key_id, region))
