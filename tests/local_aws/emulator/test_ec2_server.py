"""EC2 operations the emulator adds to moto (account settings, Instance Connect endpoints) and the EC2
moto fixes, on the real server: shapes botocore parses, AWS's defaults, errors, paging, IAM and DryRun."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_aws.emulator.server import LocalAws
from tests.local_aws.emulator.helpers import NO_RETRIES, session_with_actions

pytestmark = pytest.mark.e2e
REGION = "eu-west-1"


def _ec2() -> Any:
    return boto3.client("ec2", region_name=REGION, config=NO_RETRIES)


def error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return str(raised.value.response["Error"]["Code"])


def test_settings_start_as_a_new_accounts_and_follow_their_writes_per_region(local_aws: LocalAws) -> None:
    ec2 = _ec2()
    assert ec2.get_snapshot_block_public_access_state()["State"] == "unblocked"
    assert ec2.get_image_block_public_access_state()["ImageBlockPublicAccessState"] == "unblocked"
    assert ec2.get_instance_metadata_defaults()["AccountLevel"] == {}
    assert ec2.get_serial_console_access_status()["SerialConsoleAccessEnabled"] is False

    ec2.enable_snapshot_block_public_access(State="block-all-sharing")
    ec2.enable_image_block_public_access(ImageBlockPublicAccessState="block-new-sharing")
    ec2.modify_instance_metadata_defaults(HttpTokens="required", HttpPutResponseHopLimit=2)
    ec2.enable_serial_console_access()
    assert ec2.get_snapshot_block_public_access_state()["State"] == "block-all-sharing"
    assert ec2.get_image_block_public_access_state()["ImageBlockPublicAccessState"] == "block-new-sharing"
    level = ec2.get_instance_metadata_defaults()["AccountLevel"]
    assert (level["HttpTokens"], level["HttpPutResponseHopLimit"], level["ManagedBy"]) == (
        "required",
        2,
        "account",
    )
    assert ec2.get_serial_console_access_status()["SerialConsoleAccessEnabled"] is True
    # Another region is another setting.
    other = boto3.client("ec2", region_name="us-east-1")
    assert other.get_snapshot_block_public_access_state()["State"] == "unblocked"
    # "no-preference" clears a default; disabling goes back to unblocked.
    ec2.modify_instance_metadata_defaults(HttpTokens="no-preference", HttpPutResponseHopLimit=-1)
    assert ec2.get_instance_metadata_defaults()["AccountLevel"] == {}
    ec2.disable_snapshot_block_public_access()
    assert ec2.get_snapshot_block_public_access_state()["State"] == "unblocked"
    bad = error_code(ec2.enable_snapshot_block_public_access, State="block-everything")
    assert bad == "InvalidParameterValue"


def test_instance_connect_endpoints_are_created_paged_filtered_and_deleted(local_aws: LocalAws) -> None:
    ec2 = _ec2()
    subnets = ec2.describe_subnets()["Subnets"]
    created = [
        ec2.create_instance_connect_endpoint(
            SubnetId=s["SubnetId"],
            TagSpecifications=[
                {"ResourceType": "instance-connect-endpoint", "Tags": [{"Key": "n", "Value": str(i)}]}
            ],
        )["InstanceConnectEndpoint"]
        for i, s in enumerate(subnets[:3])
    ]
    first = created[0]
    assert first["State"] == "create-complete" and first["Tags"] == [{"Key": "n", "Value": "0"}]
    (interface,) = first["NetworkInterfaceIds"]
    enis = {n["NetworkInterfaceId"] for n in ec2.describe_network_interfaces()["NetworkInterfaces"]}
    assert interface in enis  # AWS creates one for the endpoint, so does the emulator
    pages = ec2.get_paginator("describe_instance_connect_endpoints").paginate(
        PaginationConfig={"PageSize": 2}
    )
    sizes = [len(p["InstanceConnectEndpoints"]) for p in pages]
    assert sizes == [2, 1]
    one = ec2.describe_instance_connect_endpoints(
        Filters=[{"Name": "instance-connect-endpoint-id", "Values": [first["InstanceConnectEndpointId"]]}]
    )["InstanceConnectEndpoints"]
    assert [e["SubnetId"] for e in one] == [first["SubnetId"]]
    assert error_code(ec2.describe_instance_connect_endpoints, MaxResults=51) == "InvalidParameterValue"
    assert error_code(ec2.create_instance_connect_endpoint, SubnetId="subnet-00000000000000000") == (
        "InvalidSubnetID.NotFound"
    )
    ec2.delete_instance_connect_endpoint(InstanceConnectEndpointId=first["InstanceConnectEndpointId"])
    assert len(ec2.describe_instance_connect_endpoints()["InstanceConnectEndpoints"]) == 2
    enis = {n["NetworkInterfaceId"] for n in ec2.describe_network_interfaces()["NetworkInterfaces"]}
    assert interface not in enis


def test_iam_is_checked_before_anything_and_dry_run_after_it(local_aws: LocalAws) -> None:
    allowed = session_with_actions("reader", ["ec2:GetSerialConsoleAccessStatus"])
    local_aws.enforce_iam(True)
    ec2 = allowed.client("ec2", region_name=REGION, config=NO_RETRIES)
    assert ec2.get_serial_console_access_status()["SerialConsoleAccessEnabled"] is False
    assert error_code(ec2.get_serial_console_access_status, DryRun=True) == "DryRunOperation"
    # moto's IAM check answers AccessDenied for every EC2 operation, its own too (AWS: UnauthorizedOperation).
    assert error_code(ec2.get_instance_metadata_defaults) == "AccessDenied"
    assert error_code(ec2.enable_serial_console_access, DryRun=True) == "AccessDenied"


def test_owned_snapshots_are_only_the_callers_and_restorable_ones_follow_their_permissions(
    local_aws: LocalAws,
) -> None:
    ec2 = _ec2()
    volume = ec2.create_volume(Size=1, AvailabilityZone=f"{REGION}a")["VolumeId"]
    mine, public = (ec2.create_snapshot(VolumeId=volume)["SnapshotId"] for _ in range(2))
    ec2.modify_snapshot_attribute(
        SnapshotId=public, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    assert {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]} == {mine, public}
    everyone = {s["SnapshotId"] for s in ec2.describe_snapshots(RestorableByUserIds=["all"])["Snapshots"]}
    assert public in everyone and mine not in everyone
    assert len(ec2.describe_snapshots()["Snapshots"]) > 2  # unfiltered: moto's AWS-owned ones too
    assert (
        error_code(
            ec2.describe_image_attribute, ImageId="ami-00000000000000000", Attribute="launchPermission"
        )
        == "InvalidAMIID.NotFound"
    )
