"""The network beyond the core (parse.py) -> records: network ACLs, VPC endpoints with their policies, the
endpoint services the account offers with their allowed principals, transit gateways and attachments,
egress-only internet gateways, managed prefix lists, flow logs, VPN and customer gateways, VPN connections
and EC2 Instance Connect endpoints. Pure: no boto3, no I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from collector.parsing import iso_or_none, tags
from collector.services.ec2.parse import Item, Scope
from collector.services.ec2.parse_resources import Detailed
from collector.services.ec2.records import (
    CustomerGateway,
    EgressOnlyInternetGateway,
    FlowLog,
    InstanceConnectEndpoint,
    ManagedPrefixList,
    NetworkAcl,
    TransitGateway,
    TransitGatewayAttachment,
    VpcEndpoint,
    VpcEndpointService,
    VpnConnection,
    VpnGateway,
)


def network_acls(scope: Scope, items: Iterable[Item]) -> Iterator[NetworkAcl]:
    for item in items:
        yield NetworkAcl(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            network_acl_id=item["NetworkAclId"],
            vpc_id=item.get("VpcId"),
            is_default=item.get("IsDefault"),
            owner_id=item.get("OwnerId"),
            subnet_ids=sorted({a["SubnetId"] for a in item.get("Associations", ()) if a.get("SubnetId")}),
            entries=list(item.get("Entries", ())),
            tags=tags(item.get("Tags")),
        )


def policy_document(text: Any) -> Any:
    """An endpoint policy as JSON data. The API gives JSON text (not URL-encoded, unlike IAM's); text that
    is not JSON is kept as given rather than lost."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def vpc_endpoints(scope: Scope, items: Iterable[Item]) -> Iterator[VpcEndpoint]:
    for item in items:
        yield VpcEndpoint(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            vpc_endpoint_id=item["VpcEndpointId"],
            endpoint_type=item.get("VpcEndpointType"),
            vpc_id=item.get("VpcId"),
            service_name=item.get("ServiceName"),
            state=item.get("State"),
            policy_document=policy_document(item.get("PolicyDocument")),
            private_dns_enabled=item.get("PrivateDnsEnabled"),
            route_table_ids=list(item.get("RouteTableIds", ())),
            subnet_ids=list(item.get("SubnetIds", ())),
            security_group_ids=[g["GroupId"] for g in item.get("Groups", ())],
            network_interface_ids=list(item.get("NetworkInterfaceIds", ())),
            owner_id=item.get("OwnerId"),
            requester_managed=item.get("RequesterManaged"),
            creation_timestamp=iso_or_none(item.get("CreationTimestamp")),
            tags=tags(item.get("Tags")),
        )


def _principals(allowed: Sequence[Item] | None) -> list[dict[str, Any]] | None:
    if allowed is None:
        return None
    return [{"principal": p.get("Principal"), "principal_type": p.get("PrincipalType")} for p in allowed]


def vpc_endpoint_services(scope: Scope, pairs: Detailed) -> Iterator[VpcEndpointService]:
    """Each service the account offers, with the principals allowed to connect to it."""
    for item, allowed in pairs:
        raw = dict(item)
        if allowed is not None:
            raw["AllowedPrincipals"] = list(allowed)
        yield VpcEndpointService(
            account_id=scope.account_id,
            region=scope.region,
            raw=raw,
            service_id=item["ServiceId"],
            service_name=item.get("ServiceName"),
            service_state=item.get("ServiceState"),
            service_types=[t["ServiceType"] for t in item.get("ServiceType", ()) if t.get("ServiceType")],
            acceptance_required=item.get("AcceptanceRequired"),
            allowed_principals=_principals(allowed),
            manages_vpc_endpoints=item.get("ManagesVpcEndpoints"),
            load_balancer_arns=[
                *item.get("NetworkLoadBalancerArns", ()),
                *item.get("GatewayLoadBalancerArns", ()),
            ],
            private_dns_name=item.get("PrivateDnsName"),
            tags=tags(item.get("Tags")),
        )


def _route_tables(tables: Sequence[Item] | None) -> list[dict[str, Any]] | None:
    if tables is None:
        return None
    return [
        {
            "route_table_id": t["TransitGatewayRouteTableId"],
            "state": t.get("State"),
            "default_association": t.get("DefaultAssociationRouteTable"),
            "default_propagation": t.get("DefaultPropagationRouteTable"),
            "tags": tags(t.get("Tags")),
        }
        for t in tables
    ]


def transit_gateways(scope: Scope, pairs: Detailed) -> Iterator[TransitGateway]:
    """Each transit gateway with its route tables (DescribeTransitGatewayRouteTables, joined on its ID)."""
    for item, tables in pairs:
        options: Item = item.get("Options") or {}
        raw = dict(item)
        if tables is not None:
            raw["RouteTables"] = list(tables)
        yield TransitGateway(
            account_id=scope.account_id,
            region=scope.region,
            raw=raw,
            transit_gateway_id=item["TransitGatewayId"],
            arn=item.get("TransitGatewayArn"),
            state=item.get("State"),
            owner_id=item.get("OwnerId"),
            description=item.get("Description"),
            auto_accept_shared_attachments=options.get("AutoAcceptSharedAttachments"),
            options=dict(options),
            route_tables=_route_tables(tables),
            tags=tags(item.get("Tags")),
        )


def transit_gateway_attachments(scope: Scope, items: Iterable[Item]) -> Iterator[TransitGatewayAttachment]:
    for item in items:
        association: Item = item.get("Association") or {}
        yield TransitGatewayAttachment(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            attachment_id=item["TransitGatewayAttachmentId"],
            transit_gateway_id=item.get("TransitGatewayId"),
            transit_gateway_owner_id=item.get("TransitGatewayOwnerId"),
            resource_type=item.get("ResourceType"),
            resource_id=item.get("ResourceId"),
            resource_owner_id=item.get("ResourceOwnerId"),
            state=item.get("State"),
            route_table_id=association.get("TransitGatewayRouteTableId"),
            creation_time=iso_or_none(item.get("CreationTime")),
            tags=tags(item.get("Tags")),
        )


def egress_only_internet_gateways(scope: Scope, items: Iterable[Item]) -> Iterator[EgressOnlyInternetGateway]:
    for item in items:
        yield EgressOnlyInternetGateway(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            egress_only_internet_gateway_id=item["EgressOnlyInternetGatewayId"],
            vpc_ids=[a["VpcId"] for a in item.get("Attachments", ()) if a.get("VpcId")],
            tags=tags(item.get("Tags")),
        )


def managed_prefix_lists(scope: Scope, items: Iterable[Item]) -> Iterator[ManagedPrefixList]:
    for item in items:
        yield ManagedPrefixList(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            prefix_list_id=item["PrefixListId"],
            name=item.get("PrefixListName"),
            arn=item.get("PrefixListArn"),
            owner_id=item.get("OwnerId"),
            address_family=item.get("AddressFamily"),
            state=item.get("State"),
            max_entries=item.get("MaxEntries"),
            version=item.get("Version"),
            tags=tags(item.get("Tags")),
        )


def flow_logs(scope: Scope, items: Iterable[Item]) -> Iterator[FlowLog]:
    for item in items:
        yield FlowLog(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            flow_log_id=item["FlowLogId"],
            resource_id=item.get("ResourceId"),
            traffic_type=item.get("TrafficType"),
            log_destination_type=item.get("LogDestinationType"),
            log_destination=item.get("LogDestination"),
            log_group_name=item.get("LogGroupName"),
            deliver_logs_permission_arn=item.get("DeliverLogsPermissionArn"),
            deliver_cross_account_role=item.get("DeliverCrossAccountRole"),
            flow_log_status=item.get("FlowLogStatus"),
            deliver_logs_status=item.get("DeliverLogsStatus"),
            creation_time=iso_or_none(item.get("CreationTime")),
            tags=tags(item.get("Tags")),
        )


def vpn_gateways(scope: Scope, items: Iterable[Item]) -> Iterator[VpnGateway]:
    for item in items:
        yield VpnGateway(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            vpn_gateway_id=item["VpnGatewayId"],
            state=item.get("State"),
            type=item.get("Type"),
            amazon_side_asn=item.get("AmazonSideAsn"),
            vpc_ids=[
                a["VpcId"]
                for a in item.get("VpcAttachments", ())
                if a.get("VpcId") and a.get("State") != "detached"
            ],
            availability_zone=item.get("AvailabilityZone"),
            tags=tags(item.get("Tags")),
        )


def customer_gateways(scope: Scope, items: Iterable[Item]) -> Iterator[CustomerGateway]:
    for item in items:
        yield CustomerGateway(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            customer_gateway_id=item["CustomerGatewayId"],
            state=item.get("State"),
            type=item.get("Type"),
            ip_address=item.get("IpAddress"),
            bgp_asn=item.get("BgpAsn"),
            device_name=item.get("DeviceName"),
            certificate_arn=item.get("CertificateArn"),
            tags=tags(item.get("Tags")),
        )


# Secrets DescribeVpnConnections returns: the customer gateway's configuration (with the tunnels' keys) and
# each tunnel's pre-shared key. Dropped before anything is stored.
_VPN_SECRETS = frozenset({"CustomerGatewayConfiguration", "PreSharedKey"})


def without_secrets(value: Any) -> Any:
    """A copy of an answer without the VPN secrets, at any depth."""
    if isinstance(value, dict):
        return {k: without_secrets(v) for k, v in value.items() if k not in _VPN_SECRETS}
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value


def vpn_connections(scope: Scope, items: Iterable[Item]) -> Iterator[VpnConnection]:
    for item in items:
        options: Item = item.get("Options") or {}
        yield VpnConnection(
            account_id=scope.account_id,
            region=scope.region,
            raw=without_secrets(item),
            vpn_connection_id=item["VpnConnectionId"],
            state=item.get("State"),
            type=item.get("Type"),
            customer_gateway_id=item.get("CustomerGatewayId"),
            vpn_gateway_id=item.get("VpnGatewayId"),
            transit_gateway_id=item.get("TransitGatewayId"),
            static_routes_only=options.get("StaticRoutesOnly"),
            tunnels=[
                {"outside_ip": t.get("OutsideIpAddress"), "status": t.get("Status")}
                for t in item.get("VgwTelemetry", ())
            ],
            tags=tags(item.get("Tags")),
        )


def instance_connect_endpoints(scope: Scope, items: Iterable[Item]) -> Iterator[InstanceConnectEndpoint]:
    for item in items:
        yield InstanceConnectEndpoint(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            instance_connect_endpoint_id=item["InstanceConnectEndpointId"],
            arn=item.get("InstanceConnectEndpointArn"),
            state=item.get("State"),
            vpc_id=item.get("VpcId"),
            subnet_id=item.get("SubnetId"),
            availability_zone=item.get("AvailabilityZone"),
            dns_name=item.get("DnsName"),
            preserve_client_ip=item.get("PreserveClientIp"),
            security_group_ids=list(item.get("SecurityGroupIds", ())),
            network_interface_ids=list(item.get("NetworkInterfaceIds", ())),
            owner_id=item.get("OwnerId"),
            created_at=iso_or_none(item.get("CreatedAt")),
            tags=tags(item.get("Tags")),
        )
