"""Where the pipeline keeps everything in its results bucket, and the name of each customer's ExternalId.

One place for every key: the Lambda handlers write and read them, the construct derives its IAM prefixes,
lifecycle rules and Glue table locations from them, and the tests read them. Pure: no boto3, no CDK.

```
runs/<run_id>/run.json                          the run's settings and start (written by discovery)
runs/<run_id>/items.json                        the work items: the Distributed Map's ItemReader reads it
runs/<run_id>/discovery.json                    discovery's scope results and API calls
runs/<run_id>/items/<account>.<unit>.json       one work item's scope results and API calls
runs/<run_id>/scopes/<account>.<unit>.<fetcher>.jsonl     one scope's status (a line)
runs/<run_id>/<kind>/<account>.<unit>.<fetcher>.jsonl     one scope's records of one entity kind
runs/<run_id>/<kind>/<account>.<unit>.<fetcher>.<n>.jsonl part n of them, written while the scope is read
                                                (append-only kinds such as cloudtrail_events; n from 1)
runs/<run_id>/<kind>/derived.jsonl              derived records (permission_set_roles, role_trust_principals)
runs/<run_id>/manifest.json                     the run manifest (counts, statuses, API calls)
index/runs/<run_id>.json                        one line per finished run (the run_index table)
state/<customer>/<account>/<unit>/<fetcher>.json          a scope's state for the next run (checkpoints)
map-results/                                    the Distributed Map's ResultWriter (per Map Run)
```

Keys under a run are flat below the kind (``<kind>/<file>``), so an Athena table's location is one prefix.
"""

from __future__ import annotations

import re

from collector.formats import InvalidSettingError
from collector.models import ScopeKey

# The Lambdas' contract with their construct (constructs_lib.collector_pipeline): the handlers' module and
# the environment it reads. Here, not in the handlers, so that the construct imports no boto3.
HANDLER_MODULE = "collector.pipeline.handlers"
BUCKET_ENV = "RESULTS_BUCKET"
PARAMETER_PREFIX_ENV = "EXTERNAL_ID_PARAMETER_PREFIX"

RUNS = "runs/"
INDEX = "index/runs/"
STATE = "state/"
MAP_RESULTS = "map-results/"
SCOPES = "scopes"  # the folder of scope statuses under a run (no entity kind has this name)
ITEMS = "items"

DEFAULT_PARAMETER_PREFIX = "/readonly-collector/customers/"
EXTERNAL_ID_PARAMETER = "external-id"

# runner.new_run_id(): the UTC start time and six hex digits. Nothing else may name a run's prefix.
RUN_ID_RE = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


def run_id(value: object, setting: str = "run_id") -> str:
    if not isinstance(value, str) or not RUN_ID_RE.fullmatch(value):
        raise InvalidSettingError(setting, value, "a run ID such as 20260506T120000Z-a1b2c3")
    return value


def run_prefix(run: str) -> str:
    return f"{RUNS}{run_id(run)}/"


def run_key(run: str) -> str:
    return run_prefix(run) + "run.json"


def items_key(run: str) -> str:
    return run_prefix(run) + "items.json"


def discovery_key(run: str) -> str:
    return run_prefix(run) + "discovery.json"


def manifest_key(run: str) -> str:
    return run_prefix(run) + "manifest.json"


def index_key(run: str) -> str:
    return f"{INDEX}{run_id(run)}.json"


def item_prefix(run: str) -> str:
    return f"{run_prefix(run)}{ITEMS}/"


def item_key(run: str, account_id: str, unit: str) -> str:
    return f"{item_prefix(run)}{account_id}.{unit}.json"


def kind_prefix(run: str, kind: str) -> str:
    """The location of one entity kind's records of a run (an Athena table's partition)."""
    return f"{run_prefix(run)}{kind}/"


def kind_prefix_template(kind: str) -> str:
    """``kind_prefix`` for every run: ``${run_id}`` where Athena's partition projection puts the run."""
    return f"{RUNS}${{run_id}}/{kind}/"


def kind_key(run: str, kind: str, scope: ScopeKey) -> str:
    return f"{kind_prefix(run, kind)}{_scope_file(scope)}.jsonl"


def kind_part_key(run: str, kind: str, scope: ScopeKey, part: int) -> str:
    """Part ``part`` (1, 2, ...) of a scope's append-only records, written before the rest (``kind_key``)."""
    return f"{kind_prefix(run, kind)}{_scope_file(scope)}.{part}.jsonl"


def derived_key(run: str, kind: str) -> str:
    """Records the aggregation derives from several scopes' records (collector/links.py)."""
    return f"{kind_prefix(run, kind)}derived.jsonl"


def scope_key(run: str, scope: ScopeKey) -> str:
    return f"{kind_prefix(run, SCOPES)}{_scope_file(scope)}.jsonl"


def state_key(customer: str, scope: ScopeKey) -> str:
    return f"{STATE}{customer}/{scope.account_id}/{scope.region}/{scope.service}.json"


def external_id_parameter(prefix: str, customer: str) -> str:
    """The SSM SecureString holding the customer's ExternalId, e.g.
    ``/readonly-collector/customers/acme/external-id``. Only the customer's name travels (in the
    execution input and the work items); the value stays in SSM and in the Lambda's memory."""
    return f"{prefix}{customer}/{EXTERNAL_ID_PARAMETER}"


def _scope_file(scope: ScopeKey) -> str:
    return f"{scope.account_id}.{scope.region}.{scope.service}"
