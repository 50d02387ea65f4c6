"""The collector on AWS Step Functions: a Distributed Map of work items, one Lambda invocation per item.

The same code path as the CLI (``runner.prepare`` for discovery and the plan, ``runner.collect_item`` for each
item); only the sink (JSON Lines in S3 instead of SQLite) and the state reader (S3) differ. Needs boto3 only:
this package is the Lambda's code asset (constructs_lib.collector_pipeline deploys it).

- ``layout``: every S3 key and the name of each customer's ExternalId parameter
- ``objects``: the object store (S3, or memory for tests and benchmarks)
- ``jsonl``: the JSON Lines sink and the S3 state reader
- ``codec``: scope results and API call counts as JSON, and back
- ``request``: the execution input, validated
- ``steps``: discover, collect one item, aggregate the run manifest
- ``handlers``: the Lambda entry points (configuration from the environment)
- ``schema``: the Glue/Athena columns of each entity kind
"""
