"""The Glue (Athena) tables over the pipeline's JSON Lines: one per entity kind, plus scope statuses and the
run index. Derived from the record types as the SQLite store derives its tables, so a new kind needs
nothing here. Pure data: the construct (constructs_lib.collector_pipeline) renders it as Glue tables.

Kind and scope tables are partitioned by ``run_id`` with partition projection of type ``injected``: no
partition is ever registered, and a query names its run (``WHERE run_id = '...'``); ``run_index`` lists the
runs. JSON-valued fields (policy documents, tags, ``raw``...) are ``string`` columns: the OpenX JSON SerDe
hands a nested value over as its JSON text, for ``json_extract``.
"""

from __future__ import annotations

from dataclasses import dataclass

from collector.kinds import record_type, record_types
from collector.pipeline import layout
from collector.store import KindTable

SERDE = "org.openx.data.jsonserde.JsonSerDe"
INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
RUN_PARTITION = "run_id"
RUN_INDEX = "run_index"
_GLUE_TYPES = {"text": "string", "int": "bigint", "bool": "boolean", "json": "string"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Glue/Hive type
    comment: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    prefix: str  # under the bucket; for a table partitioned by run, with ``${run_id}`` in it
    by_run: bool = True


_PLACE = (Column("account_id", "string"), Column("region", "string", "a region code, or 'global'"))


def kind_table(kind: str) -> Table:
    table = KindTable.of(record_type(kind))
    columns = (
        *_PLACE,
        *(Column(c.name, _GLUE_TYPES[c.codec]) for c in table.columns),
        Column("raw", "string", "the API's JSON for this entity"),
    )
    return Table(
        kind,
        f"{kind} of one run (JSON Lines written by the collector pipeline)",
        columns,
        layout.kind_prefix_template(kind),
    )


def scopes_table() -> Table:
    columns = (
        *_PLACE,
        Column("service", "string", "the fetcher"),
        Column("status", "string", "complete, partial, denied, failed or skipped"),
        Column("detail", "string"),
        Column("missing_actions", "array<string>"),
        Column("record_count", "bigint"),
        Column("started_at", "string"),
        Column("finished_at", "string"),
        Column("problems", "string", "JSON array of the scope's problems"),
    )
    return Table(
        layout.SCOPES,
        "the status of every scope of one run",
        columns,
        layout.kind_prefix_template(layout.SCOPES),
    )


def run_index_table() -> Table:
    columns = (
        Column(RUN_PARTITION, "string"),
        Column("customer", "string"),
        Column("started_at", "string"),
        Column("finished_at", "string"),
        Column("complete", "boolean"),
        Column("scopes", "bigint"),
        Column("not_ok", "bigint", "scopes partial, denied or failed"),
    )
    return Table(RUN_INDEX, "one line per finished run", columns, layout.INDEX, by_run=False)


def tables() -> tuple[Table, ...]:
    """Every table, kinds in KIND order, then ``scopes`` and ``run_index`` (collector.kinds: every
    service's records)."""
    return (*(kind_table(t.KIND) for t in record_types()), scopes_table(), run_index_table())
