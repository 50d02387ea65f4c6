"""EC2 resources beyond instances -> records: volumes, snapshots and AMIs with who they are shared with, key
pairs, launch templates, Elastic IPs and the account-level settings. Pure: no boto3, no I/O.

A listing whose items need one more read each (a snapshot's ``createVolumePermission``, a template's
versions) is parsed from ``(item, detail)`` pairs, where the detail is None when it could not be read: the
item is still recorded, and the scope says what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from collector.parsing import iso_or_none, tags
from collector.services.ec2.parse import Item, Scope, instance_profile_name
from collector.services.ec2.records import (
    EbsSnapshot,
    EbsVolume,
    Ec2AccountSettings,
    ElasticIp,
    Image,
    ImageShare,
    KeyPair,
    LaunchTemplate,
    SnapshotShare,
)

Detailed = Iterable[tuple[Item, Sequence[Item] | None]]

# A launch or create-volume permission's grantee field -> the share's grantee_type.
_GRANTEE_TYPES = (
    ("Group", "public"),  # the only group is "all": anyone
    ("UserId", "account"),
    ("OrganizationArn", "organization"),
    ("OrganizationalUnitArn", "organizational_unit"),
)


def grantees(permissions: Iterable[Item]) -> Iterator[tuple[str, str]]:
    """(grantee_type, grantee) of each permission entry, in the order given, each once."""
    seen: set[str] = set()
    for entry in permissions:
        for field, kind in _GRANTEE_TYPES:
            value = entry.get(field)
            if value and value not in seen:
                seen.add(value)
                yield kind, str(value)


def volumes(scope: Scope, items: Iterable[Item]) -> Iterator[EbsVolume]:
    for item in items:
        volume_id = item["VolumeId"]
        yield EbsVolume(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            volume_id=volume_id,
            arn=scope.arn(f"volume/{volume_id}"),
            state=item.get("State"),
            size_gib=item.get("Size"),
            volume_type=item.get("VolumeType"),
            encrypted=item.get("Encrypted"),
            kms_key_id=item.get("KmsKeyId"),
            snapshot_id=item.get("SnapshotId") or None,
            availability_zone=item.get("AvailabilityZone"),
            attached_instance_ids=[
                a["InstanceId"] for a in item.get("Attachments", ()) if a.get("InstanceId")
            ],
            multi_attach_enabled=item.get("MultiAttachEnabled"),
            create_time=iso_or_none(item.get("CreateTime")),
            tags=tags(item.get("Tags")),
        )


def snapshots(scope: Scope, pairs: Detailed) -> Iterator[EbsSnapshot | SnapshotShare]:
    """Each owned snapshot, then one share per grantee of its ``createVolumePermission``."""
    for item, permissions in pairs:
        snapshot_id = item["SnapshotId"]
        yield EbsSnapshot(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            snapshot_id=snapshot_id,
            arn=scope.arn_without_account(f"snapshot/{snapshot_id}"),
            volume_id=item.get("VolumeId"),
            state=item.get("State"),
            encrypted=item.get("Encrypted"),
            kms_key_id=item.get("KmsKeyId"),
            volume_size_gib=item.get("VolumeSize"),
            start_time=iso_or_none(item.get("StartTime")),
            description=item.get("Description"),
            storage_tier=item.get("StorageTier"),
            tags=tags(item.get("Tags")),
        )
        for kind, grantee in grantees(permissions or ()):
            yield SnapshotShare(
                account_id=scope.account_id,
                region=scope.region,
                raw={"SnapshotId": snapshot_id, "Attribute": "createVolumePermission", "Grantee": grantee},
                snapshot_id=snapshot_id,
                grantee_type=kind,
                grantee=grantee,
            )


def images(scope: Scope, pairs: Detailed) -> Iterator[Image | ImageShare]:
    """Each owned AMI, then one share per grantee of its ``launchPermission``."""
    for item, permissions in pairs:
        image_id = item["ImageId"]
        devices: Sequence[Item] = item.get("BlockDeviceMappings", ())
        yield Image(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            image_id=image_id,
            arn=scope.arn_without_account(f"image/{image_id}"),
            name=item.get("Name"),
            state=item.get("State"),
            public=item.get("Public"),
            image_type=item.get("ImageType"),
            platform=item.get("PlatformDetails") or item.get("Platform"),
            architecture=item.get("Architecture"),
            root_device_type=item.get("RootDeviceType"),
            imds_support=item.get("ImdsSupport"),
            snapshot_ids=[d["Ebs"]["SnapshotId"] for d in devices if (d.get("Ebs") or {}).get("SnapshotId")],
            creation_date=iso_or_none(item.get("CreationDate")),
            deprecation_time=iso_or_none(item.get("DeprecationTime")),
            description=item.get("Description"),
            tags=tags(item.get("Tags")),
        )
        for kind, grantee in grantees(permissions or ()):
            yield ImageShare(
                account_id=scope.account_id,
                region=scope.region,
                raw={"ImageId": image_id, "Attribute": "launchPermission", "Grantee": grantee},
                image_id=image_id,
                grantee_type=kind,
                grantee=grantee,
            )


def key_pairs(scope: Scope, items: Iterable[Item]) -> Iterator[KeyPair]:
    for item in items:
        yield KeyPair(
            account_id=scope.account_id,
            region=scope.region,
            raw={k: v for k, v in item.items() if k != "PublicKey"},  # never asked for; never kept
            key_pair_id=item["KeyPairId"],
            key_name=item["KeyName"],
            key_type=item.get("KeyType"),
            fingerprint=item.get("KeyFingerprint"),
            create_time=iso_or_none(item.get("CreateTime")),
            tags=tags(item.get("Tags")),
        )


def _without_user_data(version: Item) -> dict[str, Any]:
    """A template version as stored: its user data (scripts that often carry secrets) left out."""
    data = {k: v for k, v in (version.get("LaunchTemplateData") or {}).items() if k != "UserData"}
    return {**version, "LaunchTemplateData": data}


def template_version(version: Item) -> dict[str, Any]:
    """What a template version gives an instance: its IAM instance profile, metadata options, network."""
    data: Item = version.get("LaunchTemplateData") or {}
    profile: Item = data.get("IamInstanceProfile") or {}
    arn = profile.get("Arn")
    interfaces: Sequence[Item] = data.get("NetworkInterfaces", ())
    return {
        "version_number": version["VersionNumber"],
        "instance_profile_arn": arn,
        "instance_profile_name": profile.get("Name") or instance_profile_name(arn),
        "metadata_options": dict(data.get("MetadataOptions") or {}),
        "image_id": data.get("ImageId"),
        "key_name": data.get("KeyName"),
        "security_group_ids": list(data.get("SecurityGroupIds", ())),
        "security_groups": list(data.get("SecurityGroups", ())),
        "network_interfaces": [
            {
                "device_index": n.get("DeviceIndex"),
                "subnet_id": n.get("SubnetId"),
                "network_interface_id": n.get("NetworkInterfaceId"),
                "associate_public_ip_address": n.get("AssociatePublicIpAddress"),
                "security_group_ids": list(n.get("Groups", ())),
                "interface_type": n.get("InterfaceType"),
            }
            for n in interfaces
        ],
    }


def _version(versions: Sequence[Item] | None, number: Any) -> dict[str, Any] | None:
    found = [v for v in versions or () if v.get("VersionNumber") == number]
    return template_version(found[0]) if found else None


def _field(version: Mapping[str, Any] | None, name: str) -> Any:
    return None if version is None else version[name]


def _tokens(version: Mapping[str, Any] | None) -> str | None:
    return None if version is None else version["metadata_options"].get("HttpTokens")


def launch_templates(scope: Scope, pairs: Detailed) -> Iterator[LaunchTemplate]:
    """Each template with its default and latest versions (one version when they are the same)."""
    for item, versions in pairs:
        template_id = item["LaunchTemplateId"]
        default = _version(versions, item.get("DefaultVersionNumber"))
        latest = _version(versions, item.get("LatestVersionNumber"))
        raw = dict(item)
        if versions is not None:
            raw["Versions"] = [_without_user_data(v) for v in versions]
        yield LaunchTemplate(
            account_id=scope.account_id,
            region=scope.region,
            raw=raw,
            launch_template_id=template_id,
            arn=scope.arn(f"launch-template/{template_id}"),
            name=item["LaunchTemplateName"],
            default_version_number=item.get("DefaultVersionNumber"),
            latest_version_number=item.get("LatestVersionNumber"),
            created_by=item.get("CreatedBy"),
            create_time=iso_or_none(item.get("CreateTime")),
            default_instance_profile_arn=_field(default, "instance_profile_arn"),
            default_instance_profile_name=_field(default, "instance_profile_name"),
            default_metadata_http_tokens=_tokens(default),
            latest_instance_profile_arn=_field(latest, "instance_profile_arn"),
            latest_instance_profile_name=_field(latest, "instance_profile_name"),
            latest_metadata_http_tokens=_tokens(latest),
            default_version=default,
            latest_version=latest,
            tags=tags(item.get("Tags")),
        )


def elastic_ips(scope: Scope, items: Iterable[Item]) -> Iterator[ElasticIp]:
    for item in items:
        yield ElasticIp(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            allocation_id=item["AllocationId"],
            public_ip=item.get("PublicIp"),
            domain=item.get("Domain"),
            instance_id=item.get("InstanceId") or None,
            network_interface_id=item.get("NetworkInterfaceId") or None,
            network_interface_owner_id=item.get("NetworkInterfaceOwnerId"),
            private_ip=item.get("PrivateIpAddress"),
            association_id=item.get("AssociationId"),
            public_ipv4_pool=item.get("PublicIpv4Pool"),
            tags=tags(item.get("Tags")),
        )


# The account-level settings: the call that reads each one, by the boto3 operation name.
EBS_ENCRYPTION = "get_ebs_encryption_by_default"
SNAPSHOT_BLOCK_PUBLIC_ACCESS = "get_snapshot_block_public_access_state"
IMAGE_BLOCK_PUBLIC_ACCESS = "get_image_block_public_access_state"
METADATA_DEFAULTS = "get_instance_metadata_defaults"
SERIAL_CONSOLE = "get_serial_console_access_status"
SETTINGS = (
    EBS_ENCRYPTION,
    SNAPSHOT_BLOCK_PUBLIC_ACCESS,
    IMAGE_BLOCK_PUBLIC_ACCESS,
    METADATA_DEFAULTS,
    SERIAL_CONSOLE,
)


def account_settings(scope: Scope, answers: Mapping[str, Item | None]) -> Ec2AccountSettings:
    """One region's settings from the answers of the SETTINGS calls (None: that call did not answer)."""

    def answer(operation: str) -> Item:
        return answers.get(operation) or {}

    metadata: Item = answer(METADATA_DEFAULTS).get("AccountLevel") or {}
    managed_by = {
        name: value
        for name, value in (
            ("snapshot_block_public_access", answer(SNAPSHOT_BLOCK_PUBLIC_ACCESS).get("ManagedBy")),
            ("image_block_public_access", answer(IMAGE_BLOCK_PUBLIC_ACCESS).get("ManagedBy")),
            ("metadata_defaults", metadata.get("ManagedBy")),
            ("serial_console_access", answer(SERIAL_CONSOLE).get("ManagedBy")),
        )
        if value
    }
    return Ec2AccountSettings(
        account_id=scope.account_id,
        region=scope.region,
        raw={op: {k: v for k, v in a.items() if k != "ResponseMetadata"} for op, a in answers.items() if a},
        ebs_encryption_by_default=answer(EBS_ENCRYPTION).get("EbsEncryptionByDefault"),
        snapshot_block_public_access=answer(SNAPSHOT_BLOCK_PUBLIC_ACCESS).get("State"),
        image_block_public_access=answer(IMAGE_BLOCK_PUBLIC_ACCESS).get("ImageBlockPublicAccessState"),
        metadata_http_tokens=metadata.get("HttpTokens"),
        metadata_defaults=dict(metadata) if answers.get(METADATA_DEFAULTS) is not None else None,
        serial_console_access_enabled=answer(SERIAL_CONSOLE).get("SerialConsoleAccessEnabled"),
        managed_by=managed_by,
    )
