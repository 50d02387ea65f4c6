"""Where moto 5.2.x answers differently from AWS in ways the demo and the end-to-end tests depend on, made
to answer as AWS does (applied in the server process by ``server.build_app``).

- A trust statement whose principal is not an AWS one (a service, a SAML provider) does not match an AWS
  caller; moto raised TypeError on it (HTTP 500). How trust is evaluated otherwise:
  ``local_aws.emulator.trust_evaluation``.
- ``GetAccountAuthorizationDetails`` lists the AWS-managed policies that are attached to something, as AWS
  does, not all ~1,300 that exist (moto). A policy used only as a permissions boundary is therefore absent,
  which is why the collector backfills it with ``GetPolicy``.
- CloudFormation: an element of a list that resolves to ``AWS::NoValue`` (``Fn::If`` with
  ``Ref: AWS::NoValue``, as in the CDK bootstrap template's trust policies) is removed, as CloudFormation
  does; moto kept a ``null`` statement that later crashed every policy evaluation of that role. Inline
  ``Policies`` of a role, user or group created by CloudFormation are stored as JSON text, as the API stores
  them; moto kept the object, which crashed ``GetAccountAuthorizationDetails``.
- A CloudFormation ``TemplateURL`` on the emulator's own address (the CDK CLI uploads templates to
  ``http://127.0.0.1:PORT/bucket/key``) is read path-style; moto took ``127`` for the bucket name.
- EC2 ``DescribeSnapshots`` honours ``OwnerIds`` (``self`` or account IDs) and ``RestorableByUserIds``
  (``self``, account IDs, ``all``); moto ignored both, so ``OwnerIds=["self"]`` listed the ~1,300
  snapshots behind moto's AWS-owned AMIs in every region.
- EC2 ``DescribeImageAttribute`` of an image that does not exist answers ``InvalidAMIID.NotFound``, as AWS
  does (moto: KeyError, HTTP 500).
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlparse


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def principal_matches(expected: Any, caller_arn: str) -> bool:
    """Does a statement's ``Principal`` name the caller, compared as moto does (pure)? Only an AWS principal
    can: ``*``, or the caller's exact ARN (``local_aws.emulator.trust_evaluation`` normalizes trust policies
    before this)."""
    if expected == "*":
        return True
    if not isinstance(expected, dict):
        return False
    return any(value in ("*", caller_arn) for value in _as_list(expected.get("AWS")))


def _principals_of_any_kind() -> None:
    from moto.iam import access_control  # noqa: PLC0415 - moto, server process only

    def check_principal(self: Any, principal: str) -> bool:
        expected = self._statement.get("Principal")
        return not expected or principal_matches(expected, principal)

    setattr(access_control.IAMPolicyStatement, "_check_principal", check_principal)  # noqa: B010


def _authorization_details_list_attached_aws_policies() -> None:
    from moto.iam import models  # noqa: PLC0415

    original = models.IAMBackend.get_account_authorization_details

    def get_account_authorization_details(self: Any, policy_filter: list[str]) -> dict[str, Any]:
        answer = dict(original(self, policy_filter))
        aws_managed = {id(p) for p in self.aws_managed_policies}
        answer["managed_policies"] = [
            p for p in answer["managed_policies"] if id(p) not in aws_managed or p.attachment_count > 0
        ]
        return answer

    setattr(models.IAMBackend, "get_account_authorization_details", get_account_authorization_details)  # noqa: B010


def _cloudformation_no_value_in_lists() -> None:
    from moto.cloudformation import parsing  # noqa: PLC0415

    original = parsing.clean_json

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        if not isinstance(resource_json, list):
            return original(resource_json, resources_map)  # recurses through this function (a global)
        cleaned = [clean_json(item, resources_map) for item in resource_json]
        # An intrinsic function that resolved to AWS::NoValue (None) removes its element.
        return [
            c
            for c, raw in zip(cleaned, resource_json, strict=True)
            if c is not None or not isinstance(raw, dict)
        ]

    setattr(parsing, "clean_json", clean_json)  # noqa: B010


def _inline_policies_as_text() -> None:
    import json  # noqa: PLC0415

    from moto.iam import models  # noqa: PLC0415

    for owner in (models.Role, models.User, models.Group):
        original = owner.put_policy

        def put_policy(self: Any, policy_name: str, policy_json: Any, _original: Any = original) -> None:
            text = policy_json if isinstance(policy_json, str) else json.dumps(policy_json)
            _original(self, policy_name, text)

        setattr(owner, "put_policy", put_policy)  # noqa: B010


def path_style_on_the_emulator(template_url: str) -> str:
    """``template_url`` rewritten so that moto reads bucket and key from its path when its host is an IP
    address (the emulator's own address); other URLs unchanged. Pure."""
    parsed = urlparse(template_url)
    try:
        ipaddress.ip_address(parsed.hostname or "")
    except ValueError:
        return template_url
    # moto treats any URL containing "localhost" as path-style.
    return parsed._replace(netloc=f"localhost:{parsed.port}" if parsed.port else "localhost").geturl()


def _template_urls_on_the_emulator() -> None:
    from moto.cloudformation import models, responses, utils  # noqa: PLC0415

    original = utils.get_stack_from_s3_url

    def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
        return str(original(path_style_on_the_emulator(template_url), account_id, partition))

    for module in (models, responses):
        setattr(module, "get_stack_from_s3_url", get_stack_from_s3_url)  # noqa: B010


def restorable_by(owner_id: str, groups: set[str], user_ids: set[str], who: str) -> bool:
    """May ``who`` (an account ID, or ``all``) create volumes from a snapshot (pure)?"""
    if who == "all":
        return "all" in groups
    return who == owner_id or who in user_ids or "all" in groups


def _describe_snapshots_by_owner() -> None:
    from moto.core.responses import ActionResult  # noqa: PLC0415
    from moto.ec2.responses.elastic_block_store import ElasticBlockStore  # noqa: PLC0415

    def describe_snapshots(self: Any) -> Any:
        me = self.current_account
        owners = {me if o == "self" else o for o in self._get_param("OwnerIds", [])}
        restorable = {me if u == "self" else u for u in self._get_param("RestorableByUserIds", [])}
        snapshots = self.ec2_backend.describe_snapshots(
            snapshot_ids=self._get_param("SnapshotIds", []), filters=self._filters_from_querystring()
        )
        if owners:
            snapshots = [s for s in snapshots if s.owner_id in owners]
        if restorable:
            snapshots = [
                s
                for s in snapshots
                if any(
                    restorable_by(
                        s.owner_id, s.create_volume_permission_groups, s.create_volume_permission_userids, who
                    )
                    for who in restorable
                )
            ]
        return ActionResult({"Snapshots": snapshots})

    setattr(ElasticBlockStore, "describe_snapshots", describe_snapshots)  # noqa: B010


def _image_attribute_of_a_missing_image() -> None:
    from moto.ec2.exceptions import InvalidAMIIdError  # noqa: PLC0415
    from moto.ec2.models.amis import AmiBackend  # noqa: PLC0415

    original = AmiBackend.describe_image_attribute

    def describe_image_attribute(self: Any, ami_id: str, attribute_name: str) -> Any:
        if ami_id not in self.amis:
            raise InvalidAMIIdError(ami_id)
        return original(self, ami_id, attribute_name)

    setattr(AmiBackend, "describe_image_attribute", describe_image_attribute)  # noqa: B010


def apply() -> None:
    """Patch moto (5.2.x) in this process as the module docstring says."""
    _principals_of_any_kind()
    _authorization_details_list_attached_aws_policies()
    _cloudformation_no_value_in_lists()
    _inline_policies_as_text()
    _template_urls_on_the_emulator()
    _describe_snapshots_by_owner()
    _image_attribute_of_a_missing_image()
