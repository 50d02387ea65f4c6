"""One App with a stack per option combination, synthesized once with cdk-nag's AwsSolutions pack.

Sharing the App keeps every CDK test in one jsii process and one synth; the tests read the templates.
If any stack had an unacknowledged cdk-nag finding, the synth in this fixture would fail.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aws_cdk import App, BootstraplessSynthesizer, DefaultStackSynthesizer, Validations
from cdk_nag import AwsSolutionsChecks

from constructs_lib import AccountIntegrationStack, ExternalId
from tests.constructs_lib.cases import CASE_NAMES, CASES, Case, Matrix


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    outdir = tmp_path_factory.mktemp("matrix")
    app = App(outdir=str(outdir))
    stacks = {}
    for case in CASES:
        synthesizer = (
            DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
            if case.deploy_synthesizer
            else BootstraplessSynthesizer()
        )
        stacks[case.name] = AccountIntegrationStack(
            app,
            case.name,
            trusted_principal=case.principal(),
            external_id=None if case.external_id is None else ExternalId.literal(case.external_id),
            features=case.features,
            synthesizer=synthesizer,
            analytics_reporting=False,
            **case.options,
        )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    assembly = app.synth()  # raises ValidationFailed on any unacknowledged cdk-nag finding
    templates = {name: assembly.get_stack_by_name(name).template for name in stacks}
    yield Matrix(app, stacks, templates, outdir)


@pytest.fixture(params=CASES, ids=CASE_NAMES)
def case(request: pytest.FixtureRequest) -> Case:
    chosen: Case = request.param
    return chosen
