"""The Lambda entry points: ``collector.pipeline.handlers.discover`` / ``.collect`` / ``.aggregate``.

Configuration comes from the function's environment (set by constructs_lib.CollectorPipeline):
``RESULTS_BUCKET`` and ``EXTERNAL_ID_PARAMETER_PREFIX`` (named in ``layout``). AWS credentials are the
function's execution role: the vendor's identity that assumes each customer's role with its ExternalId.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from typing import Any

import boto3

from collector.aws import client_config
from collector.pipeline import layout, steps
from collector.pipeline.external_ids import ParameterExternalIds
from collector.pipeline.objects import S3Objects

# Time kept back from the Lambda's own limit: the item's last page, its objects and its manifest to write.
TIME_BUDGET_MARGIN_SECONDS = 60.0

log = logging.getLogger("collector.pipeline")
log.setLevel(logging.INFO)


@functools.cache
def _env() -> steps.StepEnv:
    """One per Lambda container (and per process elsewhere): clients are reused across invocations."""
    bucket = os.environ[layout.BUCKET_ENV]
    prefix = os.environ.get(layout.PARAMETER_PREFIX_ENV, layout.DEFAULT_PARAMETER_PREFIX)
    config = client_config(max_pool_connections=steps.READ_WORKERS)
    return steps.StepEnv(
        objects=S3Objects(boto3.client("s3", config=config), bucket),
        external_ids=ParameterExternalIds(boto3.client("ssm", config=config), prefix),
    )


def reset() -> None:
    """Forget the cached clients and configuration (the environment changed, e.g. between tests)."""
    _env.cache_clear()


def discover(event: dict[str, Any], context: Any) -> dict[str, Any]:
    out = steps.discover(event, _env())
    log.info(
        "run %s: %d work items for %d accounts", out["run"]["run_id"], out["item_count"], out["account_count"]
    )
    return out


def deadline(context: Any, now: float) -> float:
    """When resumable fetchers stop: the Lambda's own end, less the margin for writing the results."""
    remaining = float(context.get_remaining_time_in_millis()) / 1000.0
    return now + remaining - TIME_BUDGET_MARGIN_SECONDS


def collect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    out = steps.collect(event, _env(), deadline=deadline(context, time.time()))
    log.info("item %s/%s: %s", out["account_id"], out["unit"], out["statuses"])
    return out


def aggregate(event: dict[str, Any], context: Any) -> dict[str, Any]:
    out = steps.aggregate(event, _env())
    log.info("run %s: complete=%s %s", out["run_id"], out["complete"], out["statuses"])
    return out
