"""An organization trail as AWS Control Tower lays it out: created in the management account, delivering
into a bucket of the log-archive member account, encrypted with that account's KMS key (SSE-KMS)."""

from __future__ import annotations

from dataclasses import dataclass

from local_aws.seed.sessions import AccountSession, member_session

TRAIL_NAME = "organization-trail"


@dataclass(frozen=True)
class TrailTruth:
    trail_arn: str
    bucket: str
    kms_key_arn: str
    log_archive_account_id: str


def seed_organization_trail(management: AccountSession, log_archive_account_id: str) -> TrailTruth:
    """The bucket and key in the log-archive account; the multi-region organization trail (every management
    event, log file validation on) in the management account, logging. The local AWS delivers its files
    (``deliver_trail_logs()``, or every ``cloudtrail_delivery_seconds``)."""
    archive = member_session(management, log_archive_account_id)
    key_arn = archive.client("kms").create_key(Description="organization trail log files")["KeyMetadata"][
        "Arn"
    ]
    bucket = f"aws-controltower-logs-{log_archive_account_id}-us-east-1"
    archive.client("s3").create_bucket(Bucket=bucket)
    cloudtrail = management.client("cloudtrail")
    trail = cloudtrail.create_trail(
        Name=TRAIL_NAME,
        S3BucketName=bucket,
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key_arn,
    )
    cloudtrail.put_event_selectors(
        TrailName=TRAIL_NAME,
        AdvancedEventSelectors=[
            {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
        ],
    )
    cloudtrail.start_logging(Name=TRAIL_NAME)
    return TrailTruth(trail["TrailARN"], bucket, key_arn, log_archive_account_id)
