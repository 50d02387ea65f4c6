"""IAM Identity Center applications, their assignments and trusted token issuers (moto 5.2.5 lacks them).

Faithful to botocore's sso-admin model: the shapes, ``MaxResults`` (1 to 100) and ``NextToken`` paging, and
the errors AWS gives (ValidationException, ResourceNotFoundException, ConflictException). State is per
(account, region), like moto's backends, and an instance must exist in moto's sso-admin backend. The caller's
IAM authorization is moto's, made by ``IdentityCenterEmulation`` before any handler runs. Seeding operations:
CreateApplication, PutApplicationAssignmentConfiguration, CreateApplicationAssignment,
CreateTrustedTokenIssuer and their Delete counterparts.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from moto.ssoadmin.models import SSOAdminBackend

from local_aws.emulator.moto_caller import Caller
from local_aws.emulator.paging import InvalidPageError, offset_page

MAX_RESULTS = 100
PRINCIPAL_TYPES = ("USER", "GROUP")
T = TypeVar("T")


class SsoError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def required(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise SsoError("ValidationException", f"{key} is required.")
    return value


def page(items: Sequence[T], body: dict[str, Any]) -> tuple[list[T], str | None]:
    """One page of a listing in a stable order; the token is the offset of the next page."""
    try:
        return offset_page(items, body, maximum=MAX_RESULTS)
    except InvalidPageError as error:
        raise SsoError("ValidationException", str(error)) from error


def _listing(key: str, items: Sequence[Any], body: dict[str, Any]) -> dict[str, Any]:
    found, token = page(items, body)
    return {key: found, **({"NextToken": token} if token else {})}


@dataclass
class _Application:
    item: dict[str, Any]  # the ListApplications / DescribeApplication shape
    assignment_required: bool = True  # AWS's default for a new application
    assignments: list[tuple[str, str]] = field(default_factory=list)  # (principal type, principal ID)


Handler = Callable[[Caller, SSOAdminBackend, dict[str, Any]], dict[str, Any]]


class ApplicationsState:
    """Applications and trusted token issuers of every (account, region), and the operations on them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._applications: dict[tuple[str, str], dict[str, _Application]] = {}
        self._issuers: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    def reset(self) -> None:
        with self._lock:
            self._applications.clear()
            self._issuers.clear()

    def handlers(self) -> dict[str, Handler]:
        return {
            "CreateApplication": self.create_application,
            "DescribeApplication": self.describe_application,
            "ListApplications": self.list_applications,
            "DeleteApplication": self.delete_application,
            "PutApplicationAssignmentConfiguration": self.put_assignment_configuration,
            "GetApplicationAssignmentConfiguration": self.get_assignment_configuration,
            "CreateApplicationAssignment": self.create_assignment,
            "DeleteApplicationAssignment": self.delete_assignment,
            "ListApplicationAssignments": self.list_assignments,
            "CreateTrustedTokenIssuer": self.create_issuer,
            "DescribeTrustedTokenIssuer": self.describe_issuer,
            "ListTrustedTokenIssuers": self.list_issuers,
            "DeleteTrustedTokenIssuer": self.delete_issuer,
        }

    # -- helpers ---------------------------------------------------------------------------------------------

    @staticmethod
    def _instance(backend: SSOAdminBackend, body: dict[str, Any]) -> Any:
        arn = required(body, "InstanceArn")
        for instance in backend.instances:
            if instance.instance_arn == arn:
                return instance
        raise SsoError("ResourceNotFoundException", f"Instance {arn} does not exist.")

    def _application(self, caller: Caller, body: dict[str, Any]) -> _Application:
        arn = required(body, "ApplicationArn")
        found = self._applications.get((caller.account_id, caller.region), {}).get(arn)
        if found is None:
            raise SsoError("ResourceNotFoundException", f"Application {arn} does not exist.")
        return found

    @staticmethod
    def _arn(caller: Caller, kind: str, instance_arn: str, prefix: str) -> str:
        partition = instance_arn.split(":")[1]
        instance_id = instance_arn.rsplit("/", 1)[-1]
        return (
            f"arn:{partition}:sso::{caller.account_id}:{kind}/{instance_id}/{prefix}-{secrets.token_hex(8)}"
        )

    # -- applications ----------------------------------------------------------------------------------------

    def create_application(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        instance = self._instance(backend, body)
        provider = required(body, "ApplicationProviderArn")
        if not provider.startswith("arn:") or ":applicationProvider/" not in provider:
            raise SsoError("ValidationException", f"ApplicationProviderArn {provider!r} is not valid.")
        name = required(body, "Name")
        status = body.get("Status", "ENABLED")
        if status not in ("ENABLED", "DISABLED"):
            raise SsoError("ValidationException", f"Status {status!r} is not valid.")
        arn = self._arn(caller, "application", instance.instance_arn, f"apl-{secrets.token_hex(8)}")
        portal = body.get("PortalOptions") or {}
        item: dict[str, Any] = {
            "ApplicationArn": arn,
            "ApplicationProviderArn": provider,
            "Name": name,
            "ApplicationAccount": caller.account_id,
            "InstanceArn": instance.instance_arn,
            "Status": status,
            "PortalOptions": {"Visibility": portal.get("Visibility", "ENABLED"), **portal},
            "CreatedDate": time.time(),
        }
        if body.get("Description"):
            item["Description"] = body["Description"]
        with self._lock:
            apps = self._applications.setdefault((caller.account_id, caller.region), {})
            if any(
                a.item["Name"] == name and a.item["InstanceArn"] == instance.instance_arn
                for a in apps.values()
            ):
                raise SsoError("ConflictException", f"An application named {name} already exists.")
            apps[arn] = _Application(item)
        return {"ApplicationArn": arn, "InstanceArn": instance.instance_arn}

    def describe_application(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            return dict(self._application(caller, body).item)

    def list_applications(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        instance = self._instance(backend, body)
        wanted = body.get("Filter") or {}
        with self._lock:
            apps = [
                dict(a.item)
                for a in self._applications.get((caller.account_id, caller.region), {}).values()
                if a.item["InstanceArn"] == instance.instance_arn
                and wanted.get("ApplicationAccount") in (None, a.item["ApplicationAccount"])
                and wanted.get("ApplicationProvider") in (None, a.item["ApplicationProviderArn"])
            ]
        return _listing("Applications", sorted(apps, key=lambda a: a["ApplicationArn"]), body)

    def delete_application(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            app = self._application(caller, body)
            del self._applications[(caller.account_id, caller.region)][app.item["ApplicationArn"]]
        return {}

    # -- assignment configuration and assignments ------------------------------------------------------------

    def put_assignment_configuration(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        flag = body.get("AssignmentRequired")
        if not isinstance(flag, bool):
            raise SsoError("ValidationException", "AssignmentRequired is required.")
        with self._lock:
            self._application(caller, body).assignment_required = flag
        return {}

    def get_assignment_configuration(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            return {"AssignmentRequired": self._application(caller, body).assignment_required}

    @staticmethod
    def _principal(body: dict[str, Any]) -> tuple[str, str]:
        kind = required(body, "PrincipalType")
        if kind not in PRINCIPAL_TYPES:
            raise SsoError(
                "ValidationException", f"PrincipalType must be one of {', '.join(PRINCIPAL_TYPES)}."
            )
        return kind, required(body, "PrincipalId")

    def create_assignment(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        principal = self._principal(body)
        with self._lock:
            app = self._application(caller, body)
            if principal in app.assignments:
                raise SsoError("ConflictException", "The principal is already assigned to the application.")
            app.assignments.append(principal)
        return {}

    def delete_assignment(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        principal = self._principal(body)
        with self._lock:
            app = self._application(caller, body)
            if principal not in app.assignments:
                raise SsoError(
                    "ResourceNotFoundException", "The principal is not assigned to the application."
                )
            app.assignments.remove(principal)
        return {}

    def list_assignments(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            app = self._application(caller, body)
            items = [
                {
                    "ApplicationArn": app.item["ApplicationArn"],
                    "PrincipalType": kind,
                    "PrincipalId": principal,
                }
                for kind, principal in sorted(app.assignments)
            ]
        return _listing("ApplicationAssignments", items, body)

    # -- trusted token issuers -------------------------------------------------------------------------------

    def create_issuer(self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]) -> dict[str, Any]:
        instance = self._instance(backend, body)
        name = required(body, "Name")
        if body.get("TrustedTokenIssuerType") != "OIDC_JWT":
            raise SsoError("ValidationException", "TrustedTokenIssuerType must be OIDC_JWT.")
        oidc = (body.get("TrustedTokenIssuerConfiguration") or {}).get("OidcJwtConfiguration")
        keys = ("IssuerUrl", "ClaimAttributePath", "IdentityStoreAttributePath", "JwksRetrievalOption")
        if not isinstance(oidc, dict) or any(not isinstance(oidc.get(k), str) for k in keys):
            raise SsoError("ValidationException", f"OidcJwtConfiguration needs {', '.join(keys)}.")
        if not oidc["IssuerUrl"].startswith("https://"):
            raise SsoError("ValidationException", "IssuerUrl must be an https URL.")
        arn = self._arn(caller, "trustedTokenIssuer", instance.instance_arn, f"tti-{uuid.uuid4()}")
        issuer = {
            "TrustedTokenIssuerArn": arn,
            "Name": name,
            "TrustedTokenIssuerType": "OIDC_JWT",
            "TrustedTokenIssuerConfiguration": {"OidcJwtConfiguration": {k: oidc[k] for k in keys}},
            "InstanceArn": instance.instance_arn,
        }
        with self._lock:
            issuers = self._issuers.setdefault((caller.account_id, caller.region), {})
            if any(i["Name"] == name for i in issuers.values()):
                raise SsoError("ConflictException", f"A trusted token issuer named {name} already exists.")
            issuers[arn] = issuer
        return {"TrustedTokenIssuerArn": arn}

    def _issuer(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        arn = required(body, "TrustedTokenIssuerArn")
        found = self._issuers.get((caller.account_id, caller.region), {}).get(arn)
        if found is None:
            raise SsoError("ResourceNotFoundException", f"Trusted token issuer {arn} does not exist.")
        return found

    def describe_issuer(
        self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]
    ) -> dict[str, Any]:
        with self._lock:
            found = self._issuer(caller, body)
        return {k: v for k, v in found.items() if k != "InstanceArn"}

    def list_issuers(self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]) -> dict[str, Any]:
        instance = self._instance(backend, body)
        with self._lock:
            items = [
                {k: i[k] for k in ("TrustedTokenIssuerArn", "Name", "TrustedTokenIssuerType")}
                for i in self._issuers.get((caller.account_id, caller.region), {}).values()
                if i["InstanceArn"] == instance.instance_arn
            ]
        return _listing("TrustedTokenIssuers", sorted(items, key=lambda i: i["TrustedTokenIssuerArn"]), body)

    def delete_issuer(self, caller: Caller, backend: SSOAdminBackend, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            found = self._issuer(caller, body)
            del self._issuers[(caller.account_id, caller.region)][found["TrustedTokenIssuerArn"]]
        return {}
