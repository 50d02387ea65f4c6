"""Synthesize a stack into a plain CloudFormation template: no bootstrap, no CDK metadata.

Used for the templates customers review and apply by hand (``make templates``) and for templates embedded
in other resources, such as a StackSet's member template (inline TemplateBody, at most 51,200 bytes).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

from aws_cdk import App, BootstraplessSynthesizer, Stack

from constructs_lib.account_stack import AccountIntegrationStack
from constructs_lib.role_trust import TrustedPrincipal

# The CLI turns path metadata on; an App built here does not, but say so rather than rely on a default.
_PLAIN_CONTEXT = {"aws:cdk:enable-path-metadata": False}
ACCOUNT_TEMPLATE_STACK_ID = "AccountIntegration"


def plain_template(build: Callable[[App], Stack]) -> dict[str, Any]:
    """The template of the stack that ``build`` adds to a fresh, separate App.

    ``build`` should give the stack a ``BootstraplessSynthesizer`` (no BootstrapVersion parameter or rule)
    and ``analytics_reporting=False`` (no CDKMetadata resource).
    """
    with tempfile.TemporaryDirectory() as outdir:
        app = App(outdir=outdir, context=dict(_PLAIN_CONTEXT), analytics_reporting=False)
        stack = build(app)
        template: dict[str, Any] = app.synth().get_stack_by_name(stack.stack_name).template
    return template


def account_template(*, trusted_principal: TrustedPrincipal, **props: Any) -> dict[str, Any]:
    """The plain template of an ``AccountIntegrationStack``; ``props`` are its keyword arguments."""
    return plain_template(
        lambda app: AccountIntegrationStack(
            app,
            ACCOUNT_TEMPLATE_STACK_ID,
            trusted_principal=trusted_principal,
            synthesizer=BootstraplessSynthesizer(),
            analytics_reporting=False,
            **props,
        )
    )
