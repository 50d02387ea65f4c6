"""EC2 resources on canned answers: who a snapshot or an AMI is shared with, what a launch template grants,
key pairs without key material, and the account-level settings."""

from __future__ import annotations

import json
from typing import Any

from collector.models import json_text
from collector.services.ec2 import parse
from collector.services.ec2 import parse_resources as r
from tests.collector.canned import ACCOUNT
from tests.collector.services.ec2 import canned as m

SCOPE = parse.Scope(ACCOUNT, "eu-west-1")


def test_one_share_per_grantee_typed_by_what_it_names() -> None:
    permissions = [
        {"Group": "all"},
        {"UserId": m.OTHER_ACCOUNT},
        {"OrganizationArn": m.ORG_ARN},
        {"OrganizationalUnitArn": m.OU_ARN},
        {"UserId": m.OTHER_ACCOUNT},  # listed twice: one share
    ]
    image, *shares = list[Any](r.images(SCOPE, [(m.image("ami-1", public=True), permissions)]))
    assert image.KIND == "images" and image.public is True
    assert [(s.image_id, s.grantee_type, s.grantee) for s in shares] == [
        ("ami-1", "public", "all"),
        ("ami-1", "account", m.OTHER_ACCOUNT),
        ("ami-1", "organization", m.ORG_ARN),
        ("ami-1", "organizational_unit", m.OU_ARN),
    ]


def test_snapshots_and_their_shares_and_arns_without_an_account() -> None:
    records: list[Any] = list(
        r.snapshots(SCOPE, [(m.snapshot("snap-1"), [{"Group": "all"}]), (m.snapshot("snap-2"), None)])
    )
    kinds = [(x.KIND, x.key()[2:]) for x in records]
    assert kinds == [
        ("ebs_snapshots", ("snap-1",)),
        ("snapshot_shares", ("snap-1", "all")),
        ("ebs_snapshots", ("snap-2",)),  # its shares unread (None): the snapshot is still recorded
    ]
    assert records[0].arn == "arn:aws:ec2:eu-west-1::snapshot/snap-1"
    assert records[0].start_time == "2024-05-06T07:08:09+00:00"
    image: Any = next(r.images(SCOPE, [(m.image("ami-1"), [{"UserId": m.OTHER_ACCOUNT}])]))
    assert image.arn == "arn:aws:ec2:eu-west-1::image/ami-1"
    assert image.snapshot_ids == ["snap-0b1"] and image.imds_support == "v2.0"


def test_volumes_and_elastic_ips() -> None:
    (volume,) = r.volumes(SCOPE, [m.volume()])
    assert volume.arn == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:volume/vol-0a1"
    assert volume.attached_instance_ids == ["i-0e1"] and volume.encrypted is True
    assert volume.snapshot_id is None  # the API's "" for a volume not made from a snapshot
    (eip,) = r.elastic_ips(SCOPE, [m.address()])
    assert (eip.public_ip, eip.instance_id, eip.network_interface_id) == ("198.51.100.20", "i-0e1", "eni-0d1")


def test_key_pairs_never_keep_key_material() -> None:
    answer = {**m.key_pair(), "PublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample"}
    (key,) = r.key_pairs(SCOPE, [answer])
    assert (key.key_name, key.key_type) == ("deploy", "ed25519")
    assert "PublicKey" not in key.raw and "AAAAC3" not in json_text(key.raw)


def test_launch_templates_carry_their_default_and_latest_versions_without_user_data() -> None:
    versions = [
        m.template_version("lt-1", 2, default=False, tokens="optional", profile={"Name": "wide-open"}),
        m.template_version("lt-1", 1, default=True, tokens="required", profile={"Arn": m.PROFILE_ARN}),
    ]
    (template,) = r.launch_templates(SCOPE, [(m.launch_template("lt-1"), versions)])
    assert template.arn == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:launch-template/lt-1"
    assert (template.default_instance_profile_arn, template.default_instance_profile_name) == (
        m.PROFILE_ARN,
        "worker",  # the profile's name, past its path
    )
    assert template.default_metadata_http_tokens == "required"
    assert (template.latest_instance_profile_name, template.latest_metadata_http_tokens) == (
        "wide-open",
        "optional",
    )
    assert template.latest_version["network_interfaces"] == [
        {
            "device_index": 0,
            "subnet_id": "subnet-0b1",
            "network_interface_id": None,
            "associate_public_ip_address": True,
            "security_group_ids": ["sg-0c1"],
            "interface_type": None,
        }
    ]
    assert "UserData" not in json_text(template.raw) and len(template.raw["Versions"]) == 2
    # A template whose versions could not be read is kept, its versions unknown.
    (unread,) = r.launch_templates(SCOPE, [(m.launch_template("lt-2"), None)])
    assert unread.default_version is None and unread.default_instance_profile_arn is None
    assert unread.default_version_number == 1 and "Versions" not in unread.raw


def test_account_settings_from_their_five_answers() -> None:
    settings = r.account_settings(SCOPE, m.SETTINGS)
    assert settings.key() == (ACCOUNT, "eu-west-1")  # one record per account and region
    assert settings.ebs_encryption_by_default is True
    assert (settings.snapshot_block_public_access, settings.image_block_public_access) == (
        "block-new-sharing",
        "unblocked",
    )
    assert (
        settings.metadata_http_tokens == "required"
        and settings.metadata_defaults["HttpPutResponseHopLimit"] == 2
    )
    assert settings.serial_console_access_enabled is False
    assert settings.managed_by == {
        "snapshot_block_public_access": "account",
        "image_block_public_access": "account",
        "metadata_defaults": "account",
        "serial_console_access": "account",
    }
    json.dumps(settings.raw)  # storable as it is


def test_an_unanswered_setting_is_unknown_not_false() -> None:
    answers = {**m.SETTINGS, "get_ebs_encryption_by_default": None, "get_instance_metadata_defaults": None}
    settings = r.account_settings(SCOPE, answers)
    assert settings.ebs_encryption_by_default is None
    assert settings.metadata_defaults is None and settings.metadata_http_tokens is None
    # No account default for metadata is an answer too: an empty AccountLevel.
    none_set = r.account_settings(
        SCOPE, {**m.SETTINGS, "get_instance_metadata_defaults": {"AccountLevel": {}}}
    )
    assert none_set.metadata_defaults == {} and none_set.metadata_http_tokens is None
