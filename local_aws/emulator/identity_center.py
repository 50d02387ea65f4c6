"""IAM Identity Center operations moto lacks or answers wrongly, as a WSGI middleware around moto.

- Permissions boundaries of permission sets (moto 5.2 has no Put/Get/DeletePermissionsBoundary...): kept here,
  per account and region, for permission sets that exist in moto's sso-admin backend.
- Applications, application assignments and their configuration, trusted token issuers (moto has none):
  ``local_aws.emulator.identity_center_applications``.
- Provisioning listings. moto's ``ProvisionPermissionSet`` ignores its target and "provisions" to the caller's
  account; ``ListAccountsForProvisionedPermissionSet`` then lists only that account and
  ``ListPermissionSetsProvisionedToAccount`` ignores ``AccountId``. In AWS, creating an account assignment
  provisions the permission set to that account (and deleting its last assignment there removes it), so both
  listings are answered here from moto's account assignments, paginated.

Each operation runs moto's IAM check first (``local_aws.emulator.moto_caller.authorize``), like moto's own
services.
``POST /moto-api/reset`` forgets the boundaries, applications and issuers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from moto.ssoadmin.models import SSOAdminBackend, ssoadmin_backends
from werkzeug.exceptions import HTTPException

from local_aws.emulator.identity_center_applications import ApplicationsState, SsoError
from local_aws.emulator.moto_caller import Caller, authorize
from local_aws.emulator.paging import InvalidPageError, offset_page
from local_aws.emulator.protocol import RESET_PATH
from local_aws.emulator.wsgi import (
    Environ,
    StartResponse,
    WsgiApp,
    json_body,
    json_error,
    moto_error_as_json,
    read_body,
    respond,
)

TARGET_PREFIX = "SWBExternalService."
MAX_RESULTS = 100  # sso-admin's documented maximum page size for these listings


class _SsoError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _required(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise _SsoError("ValidationException", f"{key} is required.")
    return value


def _boundary(body: dict[str, Any]) -> dict[str, Any]:
    boundary = body.get("PermissionsBoundary")
    if not isinstance(boundary, dict):
        raise _SsoError("ValidationException", "PermissionsBoundary is required.")
    reference, arn = boundary.get("CustomerManagedPolicyReference"), boundary.get("ManagedPolicyArn")
    if (reference is None) == (arn is None):
        raise _SsoError(
            "ValidationException",
            "PermissionsBoundary needs exactly one of CustomerManagedPolicyReference and ManagedPolicyArn.",
        )
    if arn is not None:
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise _SsoError("ValidationException", f"ManagedPolicyArn {arn!r} is not a policy ARN.")
        return {"ManagedPolicyArn": arn}
    if not isinstance(reference, dict) or not isinstance(reference.get("Name"), str):
        raise _SsoError("ValidationException", "CustomerManagedPolicyReference needs a Name.")
    return {"CustomerManagedPolicyReference": {"Name": reference["Name"], "Path": reference.get("Path", "/")}}


def _page(items: Sequence[str], body: dict[str, Any]) -> tuple[list[str], str | None]:
    """One page of a sorted listing; the token is the offset of the next page."""
    try:
        return offset_page(items, body, maximum=MAX_RESULTS)
    except InvalidPageError as error:
        raise _SsoError("ValidationException", str(error)) from error


_Handler = Callable[[Caller, SSOAdminBackend, dict[str, Any]], dict[str, Any]]


class IdentityCenterEmulation:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        # (account, region, permission set ARN) -> boundary
        self._boundaries: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.applications = ApplicationsState()
        self._handlers: dict[str, _Handler] = {
            **self.applications.handlers(),
            "PutPermissionsBoundaryToPermissionSet": self._put_boundary,
            "GetPermissionsBoundaryForPermissionSet": self._get_boundary,
            "DeletePermissionsBoundaryFromPermissionSet": self._delete_boundary,
            "ListAccountsForProvisionedPermissionSet": self._accounts_for_permission_set,
            "ListPermissionSetsProvisionedToAccount": self._permission_sets_for_account,
        }

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with self._lock:
                self._boundaries.clear()
            self.applications.reset()
            return self.app(environ, start_response)
        target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
        if not target.startswith(TARGET_PREFIX):
            return self.app(environ, start_response)
        operation = target[len(TARGET_PREFIX) :]
        handler = self._handlers.get(operation)
        if handler is None:
            if operation == "DeletePermissionSet":
                return self._delete_permission_set(environ, start_response)
            return self.app(environ, start_response)
        return self._emulate(handler, environ, start_response)

    def _emulate(self, handler: _Handler, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body_bytes = read_body(environ)
        try:
            caller = authorize(environ, body_bytes, "sso-admin")
        except HTTPException as denied:
            return moto_error_as_json(start_response, denied)
        body = json_body(body_bytes)
        if body is None:
            return json_error(
                start_response, 400, "SerializationException", "The request body is not a JSON object."
            )
        backend = ssoadmin_backends[caller.account_id][caller.region]
        try:
            return respond(start_response, 200, handler(caller, backend, body))
        except (_SsoError, SsoError) as error:
            return json_error(start_response, 400, error.code, error.message)
        except HTTPException as moto_error:  # moto's own ResourceNotFoundException and friends
            return moto_error_as_json(start_response, moto_error)

    def _delete_permission_set(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """moto deletes the permission set; a successful deletion takes its boundary along."""
        arn = (json_body(read_body(environ)) or {}).get("PermissionSetArn")
        statuses: list[int] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(int(status[:3]))
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        if statuses and statuses[0] == 200:
            with self._lock:
                for key in [k for k in self._boundaries if k[2] == arn]:
                    del self._boundaries[key]
        return result

    def _key(self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]) -> tuple[str, str, str]:
        arn = _required(body, "PermissionSetArn")
        backend._find_permission_set(_required(body, "InstanceArn"), arn)  # ResourceNotFoundException
        return (caller.account_id, caller.region, arn)

    def _put_boundary(self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]) -> dict[str, Any]:
        key, boundary = self._key(caller, backend, body), _boundary(body)
        with self._lock:
            self._boundaries[key] = boundary
        return {}

    def _get_boundary(self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]) -> dict[str, Any]:
        key = self._key(caller, backend, body)
        with self._lock:
            boundary = self._boundaries.get(key)
        if boundary is None:
            raise _SsoError("ResourceNotFoundException", "The permission set has no permissions boundary.")
        return {"PermissionsBoundary": boundary}

    def _delete_boundary(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        key = self._key(caller, backend, body)
        with self._lock:
            if self._boundaries.pop(key, None) is None:
                raise _SsoError(
                    "ResourceNotFoundException", "The permission set has no permissions boundary."
                )
        return {}

    @staticmethod
    def _provisioned(body: dict[str, Any]) -> bool:
        """False when the caller asks only for permission sets whose latest version is NOT provisioned."""
        status = body.get("ProvisioningStatus")
        if status not in (None, "LATEST_PERMISSION_SET_PROVISIONED", "LATEST_PERMISSION_SET_NOT_PROVISIONED"):
            raise _SsoError("ValidationException", f"ProvisioningStatus {status!r} is not valid.")
        return status != "LATEST_PERMISSION_SET_NOT_PROVISIONED"  # every provisioned one is up to date here

    def _accounts_for_permission_set(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        instance_arn, arn = _required(body, "InstanceArn"), _required(body, "PermissionSetArn")
        backend._find_permission_set(instance_arn, arn)
        accounts = sorted(
            {
                a.target_id
                for a in backend.account_assignments
                if a.instance_arn == instance_arn and a.permission_set_arn == arn
            }
        )
        page, token = _page(accounts if self._provisioned(body) else [], body)
        return {"AccountIds": page, **({"NextToken": token} if token else {})}

    def _permission_sets_for_account(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        instance_arn, account = _required(body, "InstanceArn"), _required(body, "AccountId")
        arns = sorted(
            {
                a.permission_set_arn
                for a in backend.account_assignments
                if a.instance_arn == instance_arn and a.target_id == account
            }
        )
        page, token = _page(arns if self._provisioned(body) else [], body)
        return {"PermissionSets": page, **({"NextToken": token} if token else {})}
