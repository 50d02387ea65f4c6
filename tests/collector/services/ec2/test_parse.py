"""EC2 parsers on canned answers: the fields an identity graph joins on, and the network it reasons about."""

from __future__ import annotations

import pytest

from collector.services.ec2 import parse
from tests.collector import canned_ec2 as c
from tests.collector.canned import ACCOUNT

SCOPE = parse.Scope(ACCOUNT, "eu-west-1")


def test_instances_carry_their_profile_so_ec2_access_links_to_iam_roles() -> None:
    records = list(
        parse.instances(SCOPE, [c.reservation(c.instance("i-1"), c.instance("i-2", profile=None))])
    )
    with_profile, without = records
    assert with_profile.instance_profile_arn == c.PROFILE_ARN
    assert with_profile.instance_profile_name == "web-profile"  # the last segment, past the path
    assert with_profile.arn == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-1"
    assert with_profile.state == "running" and with_profile.metadata_http_tokens == "required"
    assert with_profile.security_group_ids == ["sg-0c1"]
    assert with_profile.network_interface_ids == ["eni-0d1"]
    assert with_profile.launch_time == "2024-03-04T05:06:07+00:00"
    assert with_profile.tags == {"Name": "web-1"} and with_profile.region == "eu-west-1"
    assert without.instance_profile_arn is None and without.instance_profile_name is None


def test_instance_arns_use_the_partition_and_the_reservation_owner() -> None:
    scope = parse.Scope(ACCOUNT, "cn-north-1", "aws-cn")
    (record,) = parse.instances(scope, [c.reservation(c.instance(), owner="999988887777")])
    assert record.arn == "arn:aws-cn:ec2:cn-north-1:999988887777:instance/i-0e1"


def test_a_missing_required_field_fails_loudly() -> None:
    broken = c.instance()
    del broken["State"]
    with pytest.raises(KeyError):
        list(parse.instances(SCOPE, [c.reservation(broken)]))


def test_vpcs_and_subnets() -> None:
    (vpc,) = parse.vpcs(SCOPE, [c.vpc(default=True)])
    assert vpc.cidr_blocks == ["10.0.0.0/16", "10.1.0.0/16", "2600:1f18::/56"]
    assert vpc.is_default is True and vpc.tags == {"Name": "main"}
    (subnet,) = parse.subnets(SCOPE, [c.subnet()])
    assert subnet.vpc_id == "vpc-0a1" and subnet.map_public_ip_on_launch is True
    assert subnet.arn is not None and subnet.arn.endswith("subnet/subnet-0b1")


def test_security_groups_without_an_arn_in_the_answer_get_one_built() -> None:
    with_arn, without_arn = parse.security_groups(
        SCOPE, [c.security_group("sg-1"), c.security_group("sg-2", arn=False)]
    )
    assert with_arn.arn.endswith("security-group/sg-1")
    assert without_arn.arn == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-2"
    assert with_arn.group_name == "web" and with_arn.tags == {"team": "web"}


def test_one_record_per_rule_with_its_peer() -> None:
    cidr, group, egress = parse.security_group_rules(SCOPE, c.rules())
    assert (cidr.rule_id, cidr.cidr_ipv4, cidr.from_port, cidr.is_egress) == (
        "sgr-1",
        "0.0.0.0/0",
        443,
        False,
    )
    assert group.referenced_group_id == "sg-0lb" and group.referenced_group_owner_id == ACCOUNT
    assert group.cidr_ipv4 is None
    assert egress.is_egress is True and egress.ip_protocol == "-1"


def test_network_interfaces_show_what_is_reachable_and_from_which_instance() -> None:
    attached, detached = parse.network_interfaces(
        SCOPE, [c.network_interface(), c.network_interface("eni-2", instance_id=None)]
    )
    assert attached.public_ip == "203.0.113.10" and attached.attached_instance_id == "i-0e1"
    assert attached.security_group_ids == ["sg-0c1"]
    assert attached.private_ips == [
        {"private_ip": "10.0.1.10", "primary": True, "public_ip": "203.0.113.10"},
        {"private_ip": "10.0.1.11", "primary": False, "public_ip": None},
    ]
    assert attached.tags == {"Name": "web-eni"}  # network interfaces name their tags TagSet
    assert detached.attached_instance_id is None


def test_route_tables_gateways_and_peering() -> None:
    (main,) = parse.route_tables(SCOPE, [c.route_table()])
    assert main.is_main is True and main.subnet_ids == ["subnet-0b1"]
    assert main.routes[1]["GatewayId"] == "igw-0g1"
    (other,) = parse.route_tables(SCOPE, [c.route_table("rtb-2", main=False)])
    assert other.is_main is False
    (igw,) = parse.internet_gateways(SCOPE, [c.internet_gateway()])
    assert igw.vpc_ids == ["vpc-0a1"]
    (nat,) = parse.nat_gateways(SCOPE, [c.nat_gateway()])
    assert nat.public_ips == ["198.51.100.7"] and nat.private_ips == ["10.0.1.5"]
    assert nat.create_time == "2024-03-04T05:06:07+00:00"
    (pcx,) = parse.vpc_peering_connections(SCOPE, [c.peering()])
    assert (pcx.status, pcx.accepter_owner_id, pcx.accepter_region) == ("active", "444455556666", "us-east-1")


def test_a_cross_region_peering_is_kept_once_per_account_in_its_own_sides_region() -> None:
    same_account = c.peering()  # requester in eu-west-1, accepter in us-east-1 of another account
    same_account["AccepterVpcInfo"]["OwnerId"] = ACCOUNT
    assert len(list(parse.vpc_peering_connections(SCOPE, [same_account]))) == 1
    in_virginia = parse.Scope(ACCOUNT, "us-east-1")
    assert list(parse.vpc_peering_connections(in_virginia, [same_account])) == []
    # Across accounts, each account keeps its own side: the accepter's account in the accepter's region.
    cross = c.peering()
    accepter = parse.Scope("444455556666", "us-east-1")
    assert len(list(parse.vpc_peering_connections(accepter, [cross]))) == 1
    assert list(parse.vpc_peering_connections(parse.Scope("444455556666", "eu-west-1"), [cross])) == []
