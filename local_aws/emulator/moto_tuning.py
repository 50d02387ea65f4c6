"""Make moto's AWS-managed policies affordable in the server process (applied by ``server.build_app``).

With MOTO_IAM_LOAD_MANAGED_POLICIES, moto builds its ~1,300 AWS-managed policies for every IAM backend it
creates, re-parsing 4.7 MB of JSON each time, and it creates one IAM backend per partition (six) for every
account it sees: measured 1.2-3 s per new account on 2 cores. Here the JSON is parsed once per process and
the policies exist in the "aws" partition only (none of the tests, the demo or the benchmark uses another
partition), which brings it to about 0.1 s per account. The policies themselves are moto's, unchanged.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

_PARTITION = "aws"


@functools.cache
def _policy_data() -> tuple[tuple[str, dict[str, Any]], ...]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data  # noqa: PLC0415

    parsed = json.loads(aws_managed_policies_data)
    return tuple(
        (
            name,
            {
                "default_version_id": data.get("DefaultVersionId"),
                "path": data.get("Path"),
                "document": json.dumps(data.get("Document")),
                "create_date": datetime.fromisoformat(data["CreateDate"]),
                "update_date": datetime.fromisoformat(data["UpdateDate"]),
            },
        )
        for name, data in parsed.items()
    )


def share_aws_managed_policy_data() -> None:
    """Patch moto's IAMBackend._init_aws_policies (moto 5.2.x) as the module docstring says."""
    from moto.iam import models  # noqa: PLC0415
    from moto.settings import load_iam_aws_managed_policies  # noqa: PLC0415

    policy_class: Any = models.AWSManagedPolicy

    def init_aws_policies(self: Any) -> list[Any]:
        if self.partition != _PARTITION or not load_iam_aws_managed_policies():
            return []
        return [
            policy_class(name, account_id=self.account_id, region=self.region_name, **fields)
            for name, fields in _policy_data()
        ]

    setattr(models.IAMBackend, "_init_aws_policies", init_aws_policies)  # noqa: B010 - a deliberate patch
