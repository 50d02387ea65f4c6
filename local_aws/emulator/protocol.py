"""What the local AWS server process and its clients agree on: environment variables and the emulator's paths.

Light on purpose (no moto import): clients such as ``LocalAws`` import it.
"""

from __future__ import annotations

# LookupEvents requests per second per account and region ("inf": no limit); CloudTrail's limit is 2.
CLOUDTRAIL_RATE_ENV = "LOCAL_AWS_CLOUDTRAIL_LOOKUPS_PER_SECOND"
DOCUMENTED_LOOKUPS_PER_SECOND = 2.0
# "true" (default) or "false": record successful mutating API calls as CloudTrail management events.
CLOUDTRAIL_RECORD_ENV = "LOCAL_AWS_CLOUDTRAIL_RECORD_API_CALLS"
# POST {"events": [...]} seeds management events; GET ?accountId=&region= lists them.
CLOUDTRAIL_EVENTS_PATH = "/local-aws/cloudtrail/events"
# Seconds between deliveries of trail log files into their buckets (default 300, CloudTrail's usual 5
# minutes; "off": only on request); POST the deliver path delivers at once, and answers what it wrote.
CLOUDTRAIL_DELIVERY_ENV = "LOCAL_AWS_CLOUDTRAIL_DELIVERY_SECONDS"
DEFAULT_DELIVERY_SECONDS = 300.0
CLOUDTRAIL_DELIVER_PATH = "/local-aws/cloudtrail/deliver"
# POST {"events": [...]} with raw CloudTrail data-event records, written into the next delivery's files.
CLOUDTRAIL_DATA_EVENTS_PATH = "/local-aws/cloudtrail/data-events"
# POST "on"/"off": evaluate role trust policies as AWS does under IAM enforcement
# (local_aws/emulator/trust_evaluation.py).
TRUST_EVALUATION_PATH = "/local-aws/trust-evaluation"
# moto's reset; the emulations forget their state on it too.
RESET_PATH = "/moto-api/reset"

# moto's default account, which its placeholder keys (not real credentials) act as.
MOTO_DEFAULT_ACCOUNT_ID = "123456789012"
FAKE_ACCESS_KEY_ID = "FOOBARKEY"
FAKE_SECRET_ACCESS_KEY = "FOOBARSECRET"  # noqa: S105 - moto's placeholder, not a secret
