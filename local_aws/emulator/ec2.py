"""EC2 operations moto 5.2.5 lacks (HTTP 500 there), as a WSGI middleware around moto (EC2's Query protocol).

- Account-level settings, per account and region, with a new account's values to start with: snapshot
  block public access (``Get/Enable/DisableSnapshotBlockPublicAccess``, "unblocked"), image block public
  access (``Get/Enable/DisableImageBlockPublicAccess``, "unblocked"), instance metadata defaults
  (``Get/ModifyInstanceMetadataDefaults``, none set; "no-preference" clears one) and serial console access
  (``Get/Enable/DisableSerialConsoleAccess``, off). ``ManagedBy`` is "account" (no declarative policy).
- EC2 Instance Connect endpoints (``Create/Describe/DeleteInstanceConnectEndpoint``): in a subnet moto knows,
  with its VPC's default security group unless given some, one requester-managed network interface created in
  moto (AWS creates one too), "create-complete" at once; described by ID and the filters ``vpc-id``, ``state``
  and ``instance-connect-endpoint-id``, paged (``MaxResults`` 1-50), a deleted one gone at once.

Every operation runs moto's IAM check first (``local_aws.emulator.moto_caller.authorize``), so under
enforcement the caller needs the action (``ec2:GetSnapshotBlockPublicAccessState``...); then ``DryRun``
answers ``DryRunOperation`` (HTTP 412), as EC2 does. Answers are rendered from botocore's output shapes,
errors in EC2's XML error form. ``POST /moto-api/reset`` forgets everything.
"""

from __future__ import annotations

import functools
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from moto.core.exceptions import ServiceException
from werkzeug.exceptions import HTTPException

from local_aws.emulator.moto_caller import Caller, authorize, credential_scope
from local_aws.emulator.protocol import RESET_PATH
from local_aws.emulator.wsgi import Environ, StartResponse, WsgiApp, read_body

EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/"
MAX_ENDPOINTS_PAGE = 50  # DescribeInstanceConnectEndpoints' MaxResults range is 1-50
SNAPSHOT_STATES = frozenset({"block-all-sharing", "block-new-sharing", "unblocked"})
METADATA_SETTINGS = {
    "HttpTokens": frozenset({"optional", "required"}),
    "HttpEndpoint": frozenset({"disabled", "enabled"}),
    "InstanceMetadataTags": frozenset({"disabled", "enabled"}),
}
NO_PREFERENCE = "no-preference"
ENDPOINT_FILTERS = frozenset({"vpc-id", "state", "instance-connect-endpoint-id"})


class Ec2Error(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class _Region:
    """One account's emulated state in one region."""

    snapshot_block_public_access: str = "unblocked"
    image_block_public_access: str = "unblocked"
    metadata_defaults: dict[str, Any] = field(default_factory=dict)
    serial_console: bool = False
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)  # ID -> the API's item


# --- the Query protocol: request parameters in, XML out ----------------------------------------------------


def _params(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}


def _numbered(params: Mapping[str, str], prefix: str) -> list[str]:
    """``Prefix.1``, ``Prefix.2``... in order."""
    values, index = [], 1
    while f"{prefix}.{index}" in params:
        values.append(params[f"{prefix}.{index}"])
        index += 1
    return values


def _filters(params: Mapping[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    index = 1
    while f"Filter.{index}.Name" in params:
        found[params[f"Filter.{index}.Name"]] = _numbered(params, f"Filter.{index}.Value")
        index += 1
    return found


def _tags(params: Mapping[str, str], resource_type: str) -> list[dict[str, str]]:
    tags: list[dict[str, str]] = []
    index = 1
    while f"TagSpecification.{index}.ResourceType" in params:
        prefix = f"TagSpecification.{index}"
        if params[f"{prefix}.ResourceType"] == resource_type:
            tag = 1
            while f"{prefix}.Tag.{tag}.Key" in params:
                key = params[f"{prefix}.Tag.{tag}.Key"]
                tags.append({"Key": key, "Value": params.get(f"{prefix}.Tag.{tag}.Value", "")})
                tag += 1
        index += 1
    return tags


@functools.cache
def _model() -> Any:
    import botocore.session  # noqa: PLC0415

    return botocore.session.get_session().get_service_model("ec2")


def _scalar(shape: Any, value: Any) -> str:
    if shape.type_name == "boolean":
        return "true" if value else "false"
    if shape.type_name == "timestamp" and isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return str(value)


def _element(parent: ET.Element, tag: str, shape: Any, value: Any) -> None:
    node = ET.SubElement(parent, tag)
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _element(node, member.serialization.get("name", name), member, value[name])
    elif shape.type_name == "list":
        for item in value:
            _element(node, shape.member.serialization.get("name", "item"), shape.member, item)
    else:
        node.text = _scalar(shape, value)


def xml_answer(operation: str, result: Mapping[str, Any]) -> bytes:
    """``<OperationResponse>`` with the result's members as the model names them (locationName)."""
    root = ET.Element(f"{operation}Response", xmlns=EC2_XMLNS)
    ET.SubElement(root, "requestId").text = str(uuid.uuid4())
    shape = _model().operation_model(operation).output_shape
    for name, member in shape.members.items():
        if result.get(name) is not None:
            _element(root, member.serialization.get("name", name), member, result[name])
    return bytes(ET.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _xml_error(code: str, message: str) -> bytes:
    root = ET.Element("Response")
    error = ET.SubElement(ET.SubElement(root, "Errors"), "Error")
    ET.SubElement(error, "Code").text = code
    ET.SubElement(error, "Message").text = message
    ET.SubElement(root, "RequestID").text = str(uuid.uuid4())
    return bytes(ET.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _send(start_response: StartResponse, status: int, body: bytes) -> list[bytes]:
    start_response(
        f"{status} {'OK' if status == 200 else 'Error'}",
        [("Content-Type", "text/xml;charset=UTF-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


# --- the operations ---------------------------------------------------------------------------------------

_Handler = Callable[[Caller, _Region, Mapping[str, str]], dict[str, Any]]


def _choice(params: Mapping[str, str], name: str, allowed: Iterable[str]) -> str:
    value = params.get(name, "")
    if value not in allowed:
        raise Ec2Error("InvalidParameterValue", f"Value ({value}) for parameter {name} is invalid.")
    return value


def _get_snapshot_bpa(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    return {"State": state.snapshot_block_public_access, "ManagedBy": "account"}


def _enable_snapshot_bpa(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    state.snapshot_block_public_access = _choice(params, "State", SNAPSHOT_STATES)
    return {"State": state.snapshot_block_public_access}


def _disable_snapshot_bpa(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    state.snapshot_block_public_access = "unblocked"
    return {"State": "unblocked"}


def _get_image_bpa(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    return {"ImageBlockPublicAccessState": state.image_block_public_access, "ManagedBy": "account"}


def _enable_image_bpa(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    state.image_block_public_access = _choice(params, "ImageBlockPublicAccessState", {"block-new-sharing"})
    return {"ImageBlockPublicAccessState": state.image_block_public_access}


def _disable_image_bpa(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    state.image_block_public_access = "unblocked"
    return {"ImageBlockPublicAccessState": "unblocked"}


def _get_metadata_defaults(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    level = dict(state.metadata_defaults)
    if level:
        level["ManagedBy"] = "account"
    return {"AccountLevel": level}


def _modify_metadata_defaults(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, allowed in METADATA_SETTINGS.items():
        if name in params:
            changes[name] = _choice(params, name, {*allowed, NO_PREFERENCE})
    if "HttpPutResponseHopLimit" in params:
        hops = params["HttpPutResponseHopLimit"]
        if not hops.lstrip("-").isdigit() or not (int(hops) == -1 or 1 <= int(hops) <= 64):
            raise Ec2Error("InvalidParameterValue", "HttpPutResponseHopLimit must be -1 or 1 to 64.")
        changes["HttpPutResponseHopLimit"] = None if int(hops) == -1 else int(hops)  # -1: no preference
    if not changes:
        raise Ec2Error("MissingParameter", "At least one instance metadata default must be given.")
    for name, value in changes.items():
        if value in (None, NO_PREFERENCE):
            state.metadata_defaults.pop(name, None)
        else:
            state.metadata_defaults[name] = value
    return {"Return": True}


def _get_serial_console(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    return {"SerialConsoleAccessEnabled": state.serial_console, "ManagedBy": "account"}


def _enable_serial_console(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    state.serial_console = True
    return {"SerialConsoleAccessEnabled": True}


def _disable_serial_console(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    state.serial_console = False
    return {"SerialConsoleAccessEnabled": False}


def _create_endpoint(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    from moto.ec2.models import ec2_backends  # noqa: PLC0415 - server process only

    subnet_id = params.get("SubnetId")
    if not subnet_id:
        raise Ec2Error("MissingParameter", "The request must contain the parameter SubnetId.")
    backend = ec2_backends[caller.account_id][caller.region]
    subnet = backend.get_subnet(subnet_id)  # InvalidSubnetID.NotFound, moto's own error
    default = backend.get_default_security_group(subnet.vpc_id)
    groups = _numbered(params, "SecurityGroupId") or ([default.id] if default else [])
    for group in groups:
        backend.get_security_group_by_name_or_id(group)  # moto raises for an unknown group
    endpoint_id = f"eice-{uuid.uuid4().hex[:17]}"
    interface = backend.create_network_interface(
        subnet, [], group_ids=groups, description=f"EC2 Instance Connect Endpoint {endpoint_id}"
    )
    item = {
        "OwnerId": caller.account_id,
        "InstanceConnectEndpointId": endpoint_id,
        "InstanceConnectEndpointArn": (
            f"arn:aws:ec2:{caller.region}:{caller.account_id}:instance-connect-endpoint/{endpoint_id}"
        ),
        "State": "create-complete",
        "StateMessage": "",
        "DnsName": f"{endpoint_id}.{subnet.availability_zone_id}.ec2-instance-connect-endpoint."
        f"{caller.region}.amazonaws.com",
        "NetworkInterfaceIds": [interface.id],
        "VpcId": subnet.vpc_id,
        "AvailabilityZone": subnet.availability_zone,
        "CreatedAt": datetime.now(UTC),
        "SubnetId": subnet_id,
        "PreserveClientIp": params.get("PreserveClientIp", "false") == "true",
        "SecurityGroupIds": groups,
        "Tags": _tags(params, "instance-connect-endpoint"),
    }
    state.endpoints[endpoint_id] = item
    return {"InstanceConnectEndpoint": item, "ClientToken": params.get("ClientToken")}


def _describe_endpoints(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    limit_text = params.get("MaxResults", str(MAX_ENDPOINTS_PAGE))
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_ENDPOINTS_PAGE:
        raise Ec2Error("InvalidParameterValue", f"MaxResults must be 1 to {MAX_ENDPOINTS_PAGE}.")
    filters = _filters(params)
    unknown = set(filters) - ENDPOINT_FILTERS
    if unknown:
        raise Ec2Error("InvalidParameterValue", f"The filter '{sorted(unknown)[0]}' is invalid")
    wanted = _numbered(params, "InstanceConnectEndpointId")
    missing = [i for i in wanted if i not in state.endpoints]
    if missing:
        raise _endpoint_not_found(missing[0])
    fields = {
        "vpc-id": "VpcId",
        "state": "State",
        "instance-connect-endpoint-id": "InstanceConnectEndpointId",
    }
    items = [
        item
        for endpoint_id, item in sorted(state.endpoints.items())
        if (not wanted or endpoint_id in wanted)
        and all(item[fields[name]] in values for name, values in filters.items())
    ]
    start = _start(params.get("NextToken"), len(items))
    end = start + int(limit_text)
    return {"InstanceConnectEndpoints": items[start:end], "NextToken": str(end) if end < len(items) else None}


def _endpoint_not_found(endpoint_id: str) -> Ec2Error:
    return Ec2Error(
        "InvalidInstanceConnectEndpointId.NotFound",
        f"The instance connect endpoint '{endpoint_id}' does not exist",
    )


def _start(token: str | None, size: int) -> int:
    if token is None:
        return 0
    if not token.isdigit() or int(token) > size:
        raise Ec2Error("InvalidNextToken", "The token is not valid.")
    return int(token)


def _delete_endpoint(caller: Caller, state: _Region, params: Mapping[str, str]) -> dict[str, Any]:
    from moto.ec2.models import ec2_backends  # noqa: PLC0415

    endpoint_id = params.get("InstanceConnectEndpointId", "")
    item = state.endpoints.pop(endpoint_id, None)
    if item is None:
        raise _endpoint_not_found(endpoint_id)
    for interface in item["NetworkInterfaceIds"]:
        ec2_backends[caller.account_id][caller.region].delete_network_interface(interface)
    return {"InstanceConnectEndpoint": {**item, "State": "delete-complete"}}


HANDLERS: Mapping[str, _Handler] = {
    "GetSnapshotBlockPublicAccessState": _get_snapshot_bpa,
    "EnableSnapshotBlockPublicAccess": _enable_snapshot_bpa,
    "DisableSnapshotBlockPublicAccess": _disable_snapshot_bpa,
    "GetImageBlockPublicAccessState": _get_image_bpa,
    "EnableImageBlockPublicAccess": _enable_image_bpa,
    "DisableImageBlockPublicAccess": _disable_image_bpa,
    "GetInstanceMetadataDefaults": _get_metadata_defaults,
    "ModifyInstanceMetadataDefaults": _modify_metadata_defaults,
    "GetSerialConsoleAccessStatus": _get_serial_console,
    "EnableSerialConsoleAccess": _enable_serial_console,
    "DisableSerialConsoleAccess": _disable_serial_console,
    "CreateInstanceConnectEndpoint": _create_endpoint,
    "DescribeInstanceConnectEndpoints": _describe_endpoints,
    "DeleteInstanceConnectEndpoint": _delete_endpoint,
}


class Ec2Emulation:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._regions: dict[tuple[str, str], _Region] = {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            with self._lock:
                self._regions.clear()
            return self.app(environ, start_response)
        scope = credential_scope(environ)
        if scope is None or scope.service != "ec2" or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        body = read_body(environ)  # read_body leaves the body readable for moto
        params = _params(body)
        handler = HANDLERS.get(params.get("Action", ""))
        if handler is None:
            return self.app(environ, start_response)
        try:
            caller = authorize(environ, body, "ec2")
        except HTTPException as denied:  # moto's IAM check: its own XML error answer
            return denied(environ, start_response)
        return self._answer(caller, handler, params, start_response)

    def _answer(
        self, caller: Caller, handler: _Handler, params: Mapping[str, str], start_response: StartResponse
    ) -> list[bytes]:
        if params.get("DryRun") == "true":
            message = "Request would have succeeded, but DryRun flag is set."
            return _send(start_response, 412, _xml_error("DryRunOperation", message))
        try:
            with self._lock:
                state = self._regions.setdefault((caller.account_id, caller.region), _Region())
                result = handler(caller, state, params)
        except Ec2Error as error:
            return _send(start_response, error.status, _xml_error(error.code, error.message))
        except ServiceException as moto_error:  # moto's own InvalidSubnetID.NotFound and friends
            return _send(start_response, 400, _xml_error(moto_error.code, moto_error.message))
        return _send(start_response, 200, xml_answer(params["Action"], result))
