"""The CDK app that ``cdk.json`` runs: ``npx cdk synth -c trustedPrincipal=ARN [-c externalId=ID] ...``."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from aws_cdk import App, DefaultStackSynthesizer, Stack

from cdk_app import build, config, context_keys, legacy_build, legacy_config, pipeline_build, pipeline_config
from collector.formats import InvalidSettingError

# The context keys of each integration (config.INTEGRATIONS): any other key is refused before any build.
KEYS = {
    "account": config.ACCOUNT_KEYS,
    "organization": config.ORGANIZATION_KEYS,
    legacy_config.LEGACY: legacy_config.LEGACY_KEYS,
    pipeline_config.PIPELINE: pipeline_config.PIPELINE_KEYS,
}

# Keys of another integration that the chosen one's builder refuses with a reason of its own.
REFUSED = {"account": config.REFUSED_BY_ACCOUNT, "organization": config.REFUSED_BY_ORGANIZATION}


def add_stacks(app: App) -> Stack:
    """Add the stack(s) the context asks for to ``app``; raises InvalidSettingError naming the context key.

    Any context key the chosen integration does not read is refused, naming it and the nearest valid key.
    Returns the main stack: the account's, the organization's, or for ``legacy`` the user's (its role stacks
    come with it).
    """
    context = app.node.try_get_context
    context_keys.refuse_unknown(
        app.node.get_all_context(),
        config.integration(context),
        KEYS,
        config.INTEGRATION,
        refused_later=REFUSED.get(config.integration(context), frozenset()),
    )
    if config.integration(context) == legacy_config.LEGACY:
        user_stack, _roles = legacy_build.legacy_stacks(
            app, legacy_config.legacy_settings(context), synthesizer=_synthesizer
        )
        return user_stack
    if config.integration(context) == pipeline_config.PIPELINE:
        pipeline = pipeline_config.pipeline_settings(context)
        return pipeline_build.pipeline_stack(app, pipeline, synthesizer=_synthesizer())
    settings = config.from_context(context)
    if isinstance(settings, config.OrganizationSettings):
        return build.organization_stack(app, settings, synthesizer=_synthesizer())
    return build.account_stack(app, settings, synthesizer=_synthesizer())


def _synthesizer() -> DefaultStackSynthesizer:
    # No BootstrapVersion parameter/rule: `cdk deploy` works without a bootstrap version check (also on the
    # local emulator). Only the pipeline has an asset (its code), which needs the bootstrap bucket.
    return DefaultStackSynthesizer(generate_bootstrap_version_rule=False)


def main(context: Mapping[str, object] | None = None, outdir: str | None = None) -> int:
    """Synthesize; on bad context print one line naming the key and return 2 (the CLI shows it)."""
    app = App(context=dict(context) if context is not None else None, outdir=outdir)
    try:
        add_stacks(app)
    except InvalidSettingError as error:
        print(f"error: invalid CDK context: {error}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
