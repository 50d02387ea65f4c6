"""AWS Account Access Manager (``account-access``, REST-JSON), which moto 5.2.5 lacks entirely.

Faithful to botocore's model: the routes and shapes of CreateApplication, GetApplication, ListApplications,
DeleteApplication, CreateEntitlement, GetEntitlement, ListEntitlements and DeleteEntitlement; ``maxResults``
1 to 100 and ``nextToken`` paging; the errors the model declares, with their HTTP statuses. The caller's IAM
authorization is moto's (``moto_caller.authorize``, which maps the route to the operation through the same
botocore model), so under enforcement an action the caller's policies lack is AccessDeniedException.

Modelled behaviour, from the API reference: one application per account and region (a second is
AlreadyCreatedException); an application's identity source is an Identity Center instance that must exist;
CreateEntitlement is idempotent (the same principal and role give the same entitlement); a ListEntitlements
filter names criteria that must all match (an empty ``principalRole`` matches every entitlement). State is per
(account, region); ``POST /moto-api/reset`` forgets it. The tagging operations are not emulated.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from moto.ssoadmin.models import ssoadmin_backends
from werkzeug.exceptions import HTTPException

from local_aws.emulator.moto_caller import Caller, authorize, credential_scope
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

SERVICE = "account-access"
MAX_RESULTS = 100
ROLE_ARN = re.compile(r"arn:[a-z0-9-]+:iam::([0-9]{12}):role/([a-zA-Z0-9+=,.@_-]+/)*[a-zA-Z0-9+=,.@_-]+")
_STATUS = {
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ValidationException": 400,
    "ConflictException": 409,
    "AlreadyCreatedException": 409,
}


class AccessError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class _Application:
    arn: str
    instance_arn: str
    created: float
    tags: dict[str, str]
    entitlements: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> entitlement item


def _page(items: list[Any], body: dict[str, Any]) -> tuple[list[Any], str | None]:
    try:
        return offset_page(items, body, maximum=MAX_RESULTS, names=("maxResults", "nextToken"))
    except InvalidPageError as error:
        raise AccessError("ValidationException", str(error)) from error


def _principal(value: Any) -> dict[str, str]:
    """A union: identityCenter with exactly one of userId and groupId."""
    center = (value or {}).get("identityCenter") if isinstance(value, dict) else None
    if not isinstance(center, dict) or len(center) != 1 or not set(center) <= {"userId", "groupId"}:
        raise AccessError(
            "ValidationException", "principal must be identityCenter with one of userId, groupId."
        )
    (key, who) = next(iter(center.items()))
    if not isinstance(who, str) or not who:
        raise AccessError("ValidationException", f"{key} must be a non-empty string.")
    return {key: who}


class AccountAccessEmulation:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._applications: dict[tuple[str, str], dict[str, _Application]] = {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with self._lock:
                self._applications.clear()
            return self.app(environ, start_response)
        scope = credential_scope(environ)
        if scope is None or scope.service != SERVICE:
            return self.app(environ, start_response)
        body_bytes = read_body(environ)
        try:
            caller = authorize(environ, body_bytes, SERVICE, rest=True)
        except HTTPException as denied:
            return moto_error_as_json(start_response, denied)
        body = json_body(body_bytes)
        if body is None:
            return json_error(
                start_response, 400, "ValidationException", "The request body is not a JSON object."
            )
        method = str(environ.get("REQUEST_METHOD"))
        path = str(environ.get("PATH_INFO") or "")
        query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING") or ""))
        try:
            answer = self._route(caller, method, path, query, body)
        except AccessError as error:
            return json_error(start_response, _STATUS.get(error.code, 400), error.code, error.message)
        return respond(start_response, 200, answer, content_type="application/json")

    def _route(
        self, caller: Caller, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any]
    ) -> dict[str, Any]:
        """The operation botocore's model maps (method, path) to; the resource from the path or the query."""
        collection, _, resource = path.strip("/").partition("/")
        resource = urllib.parse.unquote(resource)
        application_arn = (query.get("applicationArn") or [""])[0]
        on_body = {
            ("POST", "applications"): self.create_application,
            ("POST", "applications-list"): self.list_applications,
            ("POST", "entitlements"): self.create_entitlement,
            ("POST", "entitlements-list"): self.list_entitlements,
        }
        on_application = {
            ("GET", "applications"): self.get_application,
            ("DELETE", "applications"): self.delete_application,
        }
        on_entitlement = {
            ("GET", "entitlements"): self.get_entitlement,
            ("DELETE", "entitlements"): self.delete_entitlement,
        }
        key = (method, collection)
        if not resource and key in on_body:
            return on_body[key](caller, body)
        if resource and key in on_application:
            return on_application[key](caller, resource)
        if resource and key in on_entitlement:
            return on_entitlement[key](caller, application_arn, resource)
        raise AccessError(
            "ValidationException", f"{method} {path} is not emulated (tagging operations are not)"
        )

    # -- applications --------------------------------------------------------------------------------------

    def _mine(self, caller: Caller) -> dict[str, _Application]:
        return self._applications.setdefault((caller.account_id, caller.region), {})

    def _application(self, caller: Caller, arn: str) -> _Application:
        if not arn:
            raise AccessError("ValidationException", "applicationArn is required.")
        found = self._mine(caller).get(arn)
        if found is None:
            raise AccessError("ResourceNotFoundException", f"Application {arn} does not exist.")
        return found

    def create_application(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        source = ((body.get("identitySource") or {}).get("identityCenter") or {}).get("instanceArn")
        if not isinstance(source, str) or not source:
            raise AccessError("ValidationException", "identitySource.identityCenter.instanceArn is required.")
        instances = ssoadmin_backends[caller.account_id][caller.region].instances
        if source not in {i.instance_arn for i in instances}:
            raise AccessError(
                "ValidationException", f"Identity Center instance {source} does not exist here."
            )
        tags = body.get("tags") or {}
        if not isinstance(tags, dict):
            raise AccessError("ValidationException", "tags must be a map.")
        partition = source.split(":")[1]
        name = f"application/aam-{secrets.token_hex(8)}"
        arn = f"arn:{partition}:account-access:{caller.region}:{caller.account_id}:{name}"
        with self._lock:
            mine = self._mine(caller)
            if mine:
                raise AccessError("AlreadyCreatedException", "An application already exists in this account.")
            mine[arn] = _Application(arn, source, time.time(), {str(k): str(v) for k, v in tags.items()})
        return {"applicationArn": arn}

    def get_application(self, caller: Caller, arn: str) -> dict[str, Any]:
        with self._lock:
            app = self._application(caller, arn)
        return {
            "identitySource": {"identityCenter": {"instanceArn": app.instance_arn}},
            "status": "ACTIVE",
            "createdAt": app.created,
            "updatedAt": app.created,
            "tags": dict(app.tags),
        }

    def list_applications(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            items = [
                {"applicationArn": a.arn, "createdAt": a.created, "updatedAt": a.created}
                for a in sorted(self._mine(caller).values(), key=lambda a: a.arn)
            ]
        found, token = _page(items, body)
        return {"applications": found, **({"nextToken": token} if token else {})}

    def delete_application(self, caller: Caller, arn: str) -> dict[str, Any]:
        with self._lock:
            app = self._application(caller, arn)
            if app.entitlements:
                raise AccessError("ConflictException", "Delete the application's entitlements first.")
            del self._mine(caller)[arn]
        return {}

    # -- entitlements --------------------------------------------------------------------------------------

    def create_entitlement(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        role = ((body.get("entitlement") or {}).get("principalRole")) or {}
        principal = _principal(role.get("principal"))
        role_arn = role.get("roleArn")
        matched = ROLE_ARN.fullmatch(role_arn) if isinstance(role_arn, str) else None
        if matched is None:
            raise AccessError("ValidationException", f"roleArn {role_arn!r} is not an IAM role ARN.")
        with self._lock:
            app = self._application(caller, str(body.get("applicationArn") or ""))
            for entitlement_id, item in app.entitlements.items():  # idempotent
                existing = item["entitlement"]["principalRole"]
                if existing["principal"]["identityCenter"] == principal and existing["roleArn"] == role_arn:
                    return {"entitlementId": entitlement_id}
            entitlement_id = f"ent-{secrets.token_hex(8)}"
            app.entitlements[entitlement_id] = {
                "entitlementId": entitlement_id,
                "entitlement": {
                    "principalRole": {
                        "principal": {"identityCenter": principal},
                        "roleArn": role_arn,
                        "account": matched.group(1),
                    }
                },
                "createdAt": time.time(),
            }
        return {"entitlementId": entitlement_id}

    def _entitlement(self, caller: Caller, application_arn: str, entitlement_id: str) -> dict[str, Any]:
        found = self._application(caller, application_arn).entitlements.get(entitlement_id)
        if found is None:
            raise AccessError("ResourceNotFoundException", f"Entitlement {entitlement_id} does not exist.")
        return found

    def get_entitlement(self, caller: Caller, application_arn: str, entitlement_id: str) -> dict[str, Any]:
        with self._lock:
            return {
                "applicationArn": application_arn,
                **self._entitlement(caller, application_arn, entitlement_id),
            }

    def delete_entitlement(self, caller: Caller, application_arn: str, entitlement_id: str) -> dict[str, Any]:
        with self._lock:
            self._entitlement(caller, application_arn, entitlement_id)
            del self._application(caller, application_arn).entitlements[entitlement_id]
        return {}

    def list_entitlements(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        wanted = body.get("filter")
        if not isinstance(wanted, dict):
            raise AccessError("ValidationException", "filter is required.")
        criteria = wanted.get("principalRole") or {}
        principal = _principal(criteria["principal"]) if "principal" in criteria else None
        with self._lock:
            app = self._application(caller, str(body.get("applicationArn") or ""))
            items = [
                item
                for _, item in sorted(app.entitlements.items())
                if (
                    principal is None
                    or item["entitlement"]["principalRole"]["principal"]["identityCenter"] == principal
                )
                and criteria.get("roleArn") in (None, item["entitlement"]["principalRole"]["roleArn"])
                and criteria.get("account") in (None, item["entitlement"]["principalRole"]["account"])
            ]
        found, token = _page(items, body)
        return {"entitlements": found, **({"nextToken": token} if token else {})}
