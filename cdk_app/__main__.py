"""The CDK app that ``cdk.json`` runs: ``npx cdk synth -c trustedPrincipal=ARN [-c externalId=ID] ...``."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from aws_cdk import App, DefaultStackSynthesizer, Stack

from cdk_app import config, pipeline_config, pipeline_stacks, stacks
from collector.validation import InvalidSettingError


def build(app: App) -> Stack:
    """Add the stack the context asks for to ``app``; raises InvalidSettingError naming the context key."""
    context = app.node.try_get_context
    # No BootstrapVersion parameter/rule: `cdk deploy` works without a bootstrap version check (also on the
    # local emulator). The account stack has no assets; the pipeline's code asset needs the bootstrap bucket.
    synthesizer = DefaultStackSynthesizer(generate_bootstrap_version_rule=False)
    if config.integration(context) == pipeline_config.PIPELINE:
        settings = pipeline_config.pipeline_settings(context)
        return pipeline_stacks.pipeline_stack(app, settings, synthesizer=synthesizer)
    return stacks.account_stack(app, config.from_context(context), synthesizer=synthesizer)


def main(context: Mapping[str, object] | None = None, outdir: str | None = None) -> int:
    """Synthesize; on bad context print one line naming the key and return 2 (the CLI shows it)."""
    app = App(context=dict(context) if context is not None else None, outdir=outdir)
    try:
        build(app)
    except InvalidSettingError as error:
        print(f"error: invalid CDK context: {error}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
