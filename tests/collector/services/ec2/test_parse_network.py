"""The network beyond the core on canned answers: endpoint policies, who may connect to the account's
endpoint services, transit gateways with their route tables, VPNs without their secrets."""

from __future__ import annotations

from collector.models import json_text
from collector.services.ec2 import parse
from collector.services.ec2 import parse_network as n
from tests.collector.canned import ACCOUNT
from tests.collector.services.ec2 import canned as m

SCOPE = parse.Scope(ACCOUNT, "eu-west-1")


def test_vpc_endpoints_carry_their_policy_as_json() -> None:
    with_policy, other = n.vpc_endpoints(
        SCOPE, [m.vpc_endpoint("vpce-1"), m.vpc_endpoint("vpce-2", policy=None)]
    )
    assert with_policy.policy_document == m.ENDPOINT_POLICY
    assert with_policy.route_table_ids == ["rtb-0f1"] and with_policy.endpoint_type == "Gateway"
    assert other.policy_document is None
    (not_json,) = n.vpc_endpoints(SCOPE, [m.vpc_endpoint("vpce-3", policy="{not json")])
    assert not_json.policy_document == "{not json"  # kept as given, never lost


def test_endpoint_services_with_their_allowed_principals() -> None:
    allowed = [m.allowed_principal("*", "All"), m.allowed_principal(f"arn:aws:iam::{m.OTHER_ACCOUNT}:root")]
    (service,) = n.vpc_endpoint_services(SCOPE, [(m.endpoint_service(), allowed)])
    assert service.allowed_principals == [
        {"principal": "*", "principal_type": "All"},
        {"principal": f"arn:aws:iam::{m.OTHER_ACCOUNT}:root", "principal_type": "Account"},
    ]
    assert service.service_types == ["Interface"] and len(service.load_balancer_arns) == 1
    (unread,) = n.vpc_endpoint_services(SCOPE, [(m.endpoint_service(), None)])
    assert unread.allowed_principals is None  # unknown, not "nobody"


def test_transit_gateways_with_their_route_tables_and_attachments() -> None:
    tables = [m.tgw_route_table("tgw-rtb-1"), m.tgw_route_table("tgw-rtb-2", default=False)]
    (gateway,) = n.transit_gateways(SCOPE, [(m.transit_gateway(), tables)])
    assert gateway.auto_accept_shared_attachments == "enable"
    assert [(t["route_table_id"], t["default_association"]) for t in gateway.route_tables] == [
        ("tgw-rtb-1", True),
        ("tgw-rtb-2", False),
    ]
    (attachment,) = n.transit_gateway_attachments(SCOPE, [m.tgw_attachment()])
    assert (attachment.resource_owner_id, attachment.route_table_id) == (m.OTHER_ACCOUNT, "tgw-rtb-1")


def test_acls_gateways_prefix_lists_flow_logs_and_instance_connect() -> None:
    (acl,) = n.network_acls(SCOPE, [m.network_acl()])
    assert acl.subnet_ids == ["subnet-0b1"] and acl.entries[0]["PortRange"] == {"From": 22, "To": 22}
    (eigw,) = n.egress_only_internet_gateways(SCOPE, [m.egress_only_gateway()])
    assert eigw.vpc_ids == ["vpc-0a1"]
    (prefixes,) = n.managed_prefix_lists(SCOPE, [m.prefix_list(owner="AWS")])
    assert prefixes.owner_id == "AWS" and prefixes.max_entries == 10
    (flow,) = n.flow_logs(SCOPE, [m.flow_log()])
    assert flow.deliver_logs_permission_arn == f"arn:aws:iam::{ACCOUNT}:role/flow-logs"
    (vgw,) = n.vpn_gateways(SCOPE, [m.vpn_gateway()])
    assert vgw.vpc_ids == ["vpc-0a1"]  # the detached VPC is not attached
    (cgw,) = n.customer_gateways(SCOPE, [m.customer_gateway()])
    assert (cgw.ip_address, cgw.bgp_asn) == ("203.0.113.12", "65000")
    (eice,) = n.instance_connect_endpoints(SCOPE, [m.instance_connect_endpoint()])
    assert eice.subnet_id == "subnet-0b1" and eice.security_group_ids == ["sg-0c1"]


def test_vpn_connections_never_keep_their_keys_or_gateway_configuration() -> None:
    (vpn,) = n.vpn_connections(SCOPE, [m.vpn_connection()])
    stored = json_text(vpn.raw)
    assert "s3cr3t" not in stored and "CustomerGatewayConfiguration" not in stored
    assert vpn.raw["Options"]["TunnelOptions"] == [
        {"OutsideIpAddress": "192.0.2.1"},
        {"OutsideIpAddress": "192.0.2.2"},
    ]
    assert vpn.tunnels == [
        {"outside_ip": "192.0.2.1", "status": "UP"},
        {"outside_ip": "192.0.2.2", "status": "DOWN"},
    ]
    assert vpn.static_routes_only is True and vpn.vpn_gateway_id == "vgw-0b1"
