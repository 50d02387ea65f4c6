"""``CloudTrailLogs``: where the trail delivers its log files, so the role may read them and nothing else.

The collector reads management events from the trail's files (``--cloudtrail-source s3``) when LookupEvents'
2 requests a second per account and region are too slow. The grant is opt-in and exact (see
``constructs_lib.policies.trail_log_statements`` and ``deny_statements``): ``s3:ListBucket`` on the bucket
for keys under ``[<prefix>/]AWSLogs/`` only, ``s3:GetObject`` on those keys only, and ``kms:Decrypt`` on the
trail's key only through S3 in the key's (the bucket's) region. The explicit data-plane Deny is narrowed by
exactly those, never removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Fn

from collector import formats
from constructs_lib.policies import TrailLogGrant
from constructs_lib.role_trust import partition_agnostic_arn
from constructs_lib.validation import is_token, unless_token


@dataclass(frozen=True)
class CloudTrailLogs:
    """The trail's bucket, key prefix and SSE-KMS key. Build it with ``CloudTrailLogs.bucket(...)``."""

    bucket_name: str
    prefix: str | None = None
    kms_key_arn: str | None = None

    @staticmethod
    def bucket(name: str, *, prefix: str | None = None, kms_key_arn: str | None = None) -> CloudTrailLogs:
        """The trail's files in bucket ``name``.

        :param prefix: the trail's S3 key prefix (``S3KeyPrefix``), without slashes. Default: none, the
            files are under ``AWSLogs/``.
        :param kms_key_arn: the KMS key the trail encrypts its files with (SSE-KMS). Default: none (SSE-S3),
            and ``kms:Decrypt`` stays denied on every key.
        """
        return CloudTrailLogs(
            unless_token(formats.s3_bucket_name, name, "CloudTrailLogs.bucket name"),
            None if prefix is None else unless_token(formats.s3_key_prefix, prefix, "CloudTrailLogs prefix"),
            None
            if kms_key_arn is None
            else unless_token(formats.kms_key_arn, kms_key_arn, "CloudTrailLogs kms_key_arn"),
        )

    @property
    def logs_root(self) -> str:
        """``[<prefix>/]AWSLogs/``: every key the role may read starts with it."""
        return f"{self.prefix}/AWSLogs/" if self.prefix else "AWSLogs/"

    def grant(self) -> TrailLogGrant:
        """The grant in this stack's partition; S3 of the key's region (an SSE-KMS bucket's key is in the
        bucket's region) is the only way the key may be used."""
        via = None
        if self.kms_key_arn is not None:
            region = (
                Fn.select(3, Fn.split(":", self.kms_key_arn))
                if is_token(self.kms_key_arn)
                else self.kms_key_arn.split(":")[3]
            )
            via = f"s3.{region}.amazonaws.com"
        return TrailLogGrant(
            bucket_arn=f"arn:{Aws.PARTITION}:s3:::{self.bucket_name}",
            logs_root=self.logs_root,
            key_arn=self.kms_key_arn
            if self.kms_key_arn is None or is_token(self.kms_key_arn)
            else partition_agnostic_arn(self.kms_key_arn),
            via_service=via,
        )
