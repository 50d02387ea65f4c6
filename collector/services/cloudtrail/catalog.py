"""Every IAM action the cloudtrail fetcher calls (pure data, gathered by collector.permissions)."""

from __future__ import annotations

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission

SERVICE = "cloudtrail"  # the fetcher's name in scopes, --fetchers and the catalog

PERMISSIONS = FetcherPermissions(
    fetcher=SERVICE,
    feature=Feature.CLOUDTRAIL,
    permissions=(
        Permission(
            "cloudtrail:LookupEvents",
            "cloudtrail:LookupEvents",
            AccessLevel.READ,
            "Management events of the last 90 days (who did what), read incrementally.",
        ),
        Permission(
            "cloudtrail:DescribeTrails",
            "cloudtrail:DescribeTrails",
            AccessLevel.READ,
            "Which trail (the organization's, or a shadow of one) delivers log files, and to which bucket.",
        ),
        Permission(
            "cloudtrail:GetEventSelectors",
            "cloudtrail:GetEventSelectors",
            AccessLevel.READ,
            "Whether that trail's files hold management events.",
        ),
    ),
)

# Reading the trail's log files from S3 (--cloudtrail-source s3). Never part of PERMISSIONS (granted on
# "*"): the CloudTrailLogs prop grants them on the trail's bucket, log prefix and key only, and narrows
# the explicit data-plane Deny by exactly those (constructs_lib.trail_logs).
LOG_FILE_PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        "s3:ListBucket",
        "s3:ListObjectsV2",
        AccessLevel.LIST,
        "The trail's new log files, listed from the last one read (only under the log prefix).",
    ),
    Permission(
        "s3:GetObject",
        "s3:GetObject",
        AccessLevel.READ,
        "One log file of management events (only objects under the log prefix).",
    ),
)
# S3 decrypts an SSE-KMS log file with the caller's kms:Decrypt (a Write-level action in the Service
# Authorization Reference): granted on the trail's key only, and only through S3 (kms:ViaService).
LOG_FILE_DECRYPT = "kms:Decrypt"
