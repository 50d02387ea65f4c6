"""The vendor's own (base) credentials, checked once before a run assumes any customer role.

Without this, credentials that STS refuses (unknown, expired, wrongly signed) looked like an incomplete
collection: every scope ``failed``, an AssumeRole per scope, a traceback per retry. One
``sts:GetCallerIdentity`` (which needs no IAM permission) tells them apart: refused base credentials are a
configuration error, exit 2 with one line, and no role is assumed.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from collector.aws import GLOBAL_REGION, ConfigurationError, Sessions
from collector.errors import error_code, one_line


def check(sessions: Sessions, partition: str) -> str:
    """The base credentials' ARN; ConfigurationError (one line) when STS refuses them or cannot be reached.

    Not counted in the run's API calls: those are the calls made in customers' accounts.
    """
    base = sessions.base_session
    region = base.get_config_variable("region") or GLOBAL_REGION[partition]
    where = f"profile {sessions.profile}" if sessions.profile else "the default credential chain"
    try:
        sts: Any = base.create_client("sts", region_name=region, config=sessions.config)
        return str(sts.get_caller_identity()["Arn"])
    except ClientError as exc:
        message = str(exc.response.get("Error", {}).get("Message", ""))
        raise ConfigurationError(
            f"the base AWS credentials ({where}) were refused by STS: {error_code(exc)}: {one_line(message)}"
        ) from None
    except BotoCoreError as exc:
        raise ConfigurationError(
            f"the base AWS credentials ({where}) could not be checked: {one_line(str(exc))}"
        ) from None
