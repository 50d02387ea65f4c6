"""The demo's customer, deployed once per test session, and the collector run in-process with a recorder of
every response botocore receives (independent of the collector's own call counting)."""

from __future__ import annotations

import os
import shlex
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from collector import runner
from collector.cli import app as cli
from collector.cli import collect as collect_command
from collector.errors import DENIED_CODES
from collector.sink import RunManifest
from collector.store import SqliteStore
from local_aws.deploy.organization import DeployedIntegration, deploy_organization_integration
from local_aws.emulator.client import isolated_environment
from local_aws.emulator.server import LocalAws
from local_aws.seed import OrganizationSpec, SeededCustomer, seed_customer

EXTERNAL_ID = "Customer-7f3a9c-ExternalId"
# An AWS-managed policy attached nowhere, only a permissions boundary: GetAccountAuthorizationDetails leaves
# it out (as AWS does), so the collector must backfill it (iam:GetPolicy, iam:GetPolicyVersion).
BOUNDARY_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"


def spec() -> OrganizationSpec:
    """The demo's organization, its Auditor permission set bounded by ``BOUNDARY_ONLY``."""
    demo = OrganizationSpec.demo()
    sets = tuple(
        replace(ps, permissions_boundary=BOUNDARY_ONLY) if ps.name == "Auditor" else ps
        for ps in demo.identity_center.permission_sets
    )
    assert sets != demo.identity_center.permission_sets
    return replace(demo, identity_center=replace(demo.identity_center, permission_sets=sets))


@dataclass(frozen=True)
class DeployedCustomer:
    aws: LocalAws
    customer: SeededCustomer
    integration: DeployedIntegration
    external_id: str
    workdir: Path

    @property
    def management_account_id(self) -> str:
        return self.customer.organization.organization.management_account_id

    def vendor_environment(self) -> dict[str, str]:
        """The collector's process environment: the vendor principal's key and nothing else of AWS."""
        return isolated_environment(
            self.aws.endpoint_url, self.customer.vendor.key, "us-east-1", str(self.workdir)
        )


def deploy_customer(workdir: Path) -> Iterator[DeployedCustomer]:
    """Start a server, seed the demo customer (``spec()``), switch IAM enforcement on, deploy as the
    administrator, and switch trust evaluation on: the demo's steps 1-3."""
    with LocalAws(load_aws_managed_policies=True, log_path=str(workdir / "local-aws.log")) as aws:
        customer = seed_customer(aws, spec())
        aws.enforce_iam(True)
        integration = deploy_organization_integration(
            aws.endpoint_url,
            organization=customer.organization.organization,
            vendor_principal_arn=customer.vendor.user_arn,
            external_id=EXTERNAL_ID,
            identity_center_region=customer.organization.identity_center.home_region,
            administrator=customer.administrator.key,
            workdir=workdir / "cdk",
        )
        aws.evaluate_trust(True)  # as the demo does, after the CDK CLI (see local_aws.demo.flow)
        yield DeployedCustomer(aws, customer, integration, EXTERNAL_ID, workdir)


@dataclass(frozen=True)
class Response:
    service: str  # the botocore client name, as the catalog's ``api`` spells it ("sso-admin")
    operation: str
    status: int
    error_code: str | None

    @property
    def api(self) -> str:
        return f"{self.service}:{self.operation}"

    @property
    def denied(self) -> bool:
        return self.error_code in DENIED_CODES


class ResponseRecorder:
    """Registers on every botocore session the collector creates; records each API answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._responses: list[Response] = []

    def attach(self, session: botocore.session.Session) -> None:
        session.register("after-call", self._after_call)

    def _after_call(self, **event: Any) -> None:
        parsed, model = event["parsed"], event["model"]
        code = parsed.get("Error", {}).get("Code") if isinstance(parsed, dict) else None
        status = event["http_response"].status_code
        answer = Response(model.service_model.service_name, model.name, status, code)
        with self._lock:
            self._responses.append(answer)

    def responses(self) -> tuple[Response, ...]:
        with self._lock:
            return tuple(self._responses)


@dataclass(frozen=True)
class CollectorRun:
    code: int  # the CLI's exit code for this outcome
    manifest: RunManifest
    responses: tuple[Response, ...]

    def scopes(self) -> dict[tuple[str, str, str], str]:
        return {
            (r.scope.account_id, r.scope.region, r.scope.service): r.status.value
            for r in self.manifest.scopes
        }

    def succeeded_apis(self) -> set[str]:
        return {r.api for r in self.responses if r.status < 300}


def collect(
    deployed: DeployedCustomer,
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    *extra: str,
    external_id: str | None = None,
) -> CollectorRun:
    """``aws-readonly-collector collect <CollectorArguments>`` as the vendor, in this process: the CLI's own
    argument parsing and the runner's ``prepare``/``execute``, with the recorder on every session."""
    with monkeypatch.context() as env:
        for key in [k for k in os.environ if k.startswith("AWS_")]:
            env.delenv(key)
        for key, value in deployed.vendor_environment().items():
            if key.startswith("AWS_"):
                env.setenv(key, value)
        argv: Sequence[str] = [
            "collect",
            *shlex.split(deployed.integration.collector_arguments),  # the stack's output, as documented
            "--external-id",
            external_id or deployed.external_id,
            "--db",
            str(db),
            *extra,
        ]
        settings = collect_command.settings_from(cli.build_parser().parse_args(argv))
        recorder = ResponseRecorder()
        prepared = runner.prepare(settings, prepare_session=recorder.attach)
        with SqliteStore(db) as store:
            manifest = runner.execute(prepared, store, state=store)
    return CollectorRun(runner.exit_code(manifest.scopes), manifest, recorder.responses())
