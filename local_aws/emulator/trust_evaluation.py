"""Role trust as AWS evaluates it, under IAM enforcement, once switched on (``evaluate_trust``).

moto 5.2.5 checks a role's trust policy on AssumeRole only in part (measured; docs/local-aws.md):
it looks the role up in the CALLER's account, so a cross-account AssumeRole skips the trust policy entirely
and even a role that does not exist hands out credentials; a condition on a key the request lacks passes,
so a missing ExternalId is accepted; and it matches the trust's AWS principal to the caller's ARN only, so
``arn:aws:iam::ACCOUNT:root`` (or the bare account ID) does not match that account's identities. Switched
on, this module makes moto's own check behave as AWS does in those three points:

1. the role is looked up in its own account; a role that does not exist is AccessDenied;
2. a trust principal matches the caller's ARN (a role session: its role's ARN), or the caller's account as
   ``arn:<partition>:iam::ID:root`` or ``ID``, and nothing else (moto tests a single principal string as a
   substring); the caller's identity policy must allow ``sts:AssumeRole`` too, which moto checks already;
3. ``StringEquals`` on a key the request does not carry (no ExternalId) is false.

It is a patch of moto's ``IAMRequestBase`` and ``TrustCondition`` in the server process (applied by
``server.build_app``), inert until switched on with ``POST /local-aws/trust-evaluation`` (``on``/``off``);
``/moto-api/reset`` switches it off. Nothing else about moto's IAM enforcement changes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from local_aws.emulator.protocol import RESET_PATH, TRUST_EVALUATION_PATH
from local_aws.emulator.wsgi import Environ, StartResponse, WsgiApp, read_body

_ASSUME_ACTIONS = frozenset({"sts:AssumeRole"})


class _Switch:
    def __init__(self) -> None:
        self._on = threading.Event()

    @property
    def on(self) -> bool:
        return self._on.is_set()

    def set(self, value: bool) -> None:
        if value:
            self._on.set()
        else:
            self._on.clear()


SWITCH = _Switch()


def _role_in_its_account(arn: str) -> Any | None:
    from moto.iam.exceptions import NotFoundException  # noqa: PLC0415 - moto, server process only
    from moto.iam.models import iam_backends  # noqa: PLC0415

    parts = arn.split(":")
    if len(parts) < 6:
        return None
    try:
        return iam_backends[parts[4]][parts[1]].get_role_by_arn(arn)
    except NotFoundException:
        return None


def _candidate_principals(caller_arn: str) -> tuple[str, str]:
    """How a trust policy may name this caller: its ARN (a role session: its role's), or its account's root
    ARN (a bare account ID is rewritten to that by ``_normalized``)."""
    parts = caller_arn.split(":")
    partition, account, resource = parts[1], parts[4], parts[5]
    own = caller_arn
    if resource.startswith("assumed-role/"):
        own = f"arn:{partition}:iam::{account}:role/{resource.split('/')[1]}"
    return (own, f"arn:{partition}:iam::{account}:root")


def _normalized(document: str, partition: str) -> str:
    """The trust policy with every AWS principal as a list of ARNs (a bare account ID as its root ARN).

    moto tests ``caller in principal``, which for a single string is a substring test; a list makes it
    membership, as in AWS."""
    policy = json.loads(document)
    statements = policy.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if isinstance(principal, dict) and "AWS" in principal:
            values = principal["AWS"] if isinstance(principal["AWS"], list) else [principal["AWS"]]
            principal["AWS"] = [
                f"arn:{partition}:iam::{v}:root" if isinstance(v, str) and v.isdigit() else v for v in values
            ]
    return json.dumps(policy)


def patch_trust_evaluation() -> None:
    """Patch moto (5.2.x) as the module docstring says; the patched code defers to moto while switched off."""
    from moto.iam import access_control, policy_conditions  # noqa: PLC0415
    from moto.iam.utils import format_incoming_conditional_values  # noqa: PLC0415

    request_base: Any = access_control.IAMRequestBase
    original_is_assuming = request_base._is_assuming_role_operation
    original_check_trust = request_base._check_role_trust_relationship
    condition_class: Any = policy_conditions.TrustCondition
    original_verify = condition_class.verify_condition

    def is_assuming_role_operation(self: Any, resource_arn: str) -> bool:
        if not SWITCH.on:
            return bool(original_is_assuming(self, resource_arn))
        return self._action in _ASSUME_ACTIONS and ":role/" in resource_arn.lower()

    def check_role_trust_relationship(self: Any, role_arn: str) -> bool:
        if not SWITCH.on:
            return bool(original_check_trust(self, role_arn))
        role = _role_in_its_account(role_arn)
        if role is None:
            return False
        policy = access_control.IAMPolicy(
            _normalized(role.assume_role_policy_document, role_arn.split(":")[1])
        )
        conditions = format_incoming_conditional_values(self._data)
        permitted = access_control.PermissionResult.PERMITTED
        return any(
            policy.is_action_permitted(self._action, role_arn, principal, conditions) == permitted
            for principal in _candidate_principals(self._access_key.arn)
        )

    def verify_condition(self: Any, actual_values: list[str]) -> bool:
        if SWITCH.on and self._condition == "StringEquals" and len(actual_values) < len(self.context_keys):
            return False  # AWS: StringEquals on a key the request does not carry is false
        return bool(original_verify(self, actual_values))

    setattr(request_base, "_is_assuming_role_operation", is_assuming_role_operation)  # noqa: B010
    setattr(request_base, "_check_role_trust_relationship", check_role_trust_relationship)  # noqa: B010
    setattr(condition_class, "verify_condition", verify_condition)  # noqa: B010


class TrustEvaluationSwitch:
    """``POST /local-aws/trust-evaluation`` with ``on`` or ``off``; moto's reset switches it off."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD", "GET"))
        if path == TRUST_EVALUATION_PATH and method == "POST":
            value = read_body(environ).decode(errors="replace").strip()
            if value not in ("on", "off"):
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [f"expected 'on' or 'off', got {value!r}".encode()]
            SWITCH.set(value == "on")
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [value.encode()]
        if path == RESET_PATH and method == "POST":
            SWITCH.set(False)
        return self.app(environ, start_response)
