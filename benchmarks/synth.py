"""Synth figures for the single-account integration: ``python -m benchmarks.synth``.

Prints wall times (CDK import, first and later in-process synths, one real CDK CLI synth, cfn-lint of one
template), the template size and the number of actions granted. Figures only, no assertions.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VENDOR = "arn:aws:iam::111122223333:role/Vendor"
LATER_SYNTHS = 10


def _seconds(start: float) -> str:
    return f"{time.perf_counter() - start:.2f} s"


def time_synths(build: Callable[[Any], Any], later: int) -> dict[str, Any]:
    """Synthesize ``build(app)``'s stack 1 + ``later`` times, print the timings, return its template."""
    from aws_cdk import App  # noqa: PLC0415 - the caller measures the import

    durations = []
    template: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as outdir:
        for _ in range(1 + later):
            start = time.perf_counter()
            app = App(outdir=outdir)
            stack = build(app)
            template = app.synth().get_stack_by_name(stack.stack_name).template
            durations.append(time.perf_counter() - start)
    print(f"first in-process synth (jsii warm-up): {durations[0]:.2f} s")
    print(f"later in-process synths: median {statistics.median(durations[1:]):.3f} s over {later}")
    return template


def main() -> None:
    start = time.perf_counter()

    from cdk_app import build  # noqa: PLC0415
    from cdk_app.config import AccountSettings  # noqa: PLC0415
    from collector.permissions import DEFAULT_FEATURES, Feature, actions_for  # noqa: PLC0415

    print(f"import aws_cdk + constructs_lib: {_seconds(start)}")

    settings = AccountSettings(trusted_principal=VENDOR, external_id="Abc123-example")
    template = time_synths(lambda app: build.account_stack(app, settings), LATER_SYNTHS)
    print(f"template: {len(json.dumps(template))} bytes")

    from cfnlint.api import lint  # noqa: PLC0415

    start = time.perf_counter()
    lint(json.dumps(template))
    print(f"cfn-lint of the template: {_seconds(start)}")

    with tempfile.TemporaryDirectory() as outdir:
        command = [
            "node_modules/.bin/cdk", "synth", "--no-notices", "--quiet", "--output", outdir,
            "-c", f"trustedPrincipal={VENDOR}", "-c", "externalId=Abc123-example",
        ]  # fmt: skip
        env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true"}
        start = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
        status = "ok" if result.returncode == 0 else f"FAILED: {result.stderr.strip()}"
        print(f"CDK CLI synth (node + python app + jsii): {_seconds(start)} ({status})")

    default, every = len(actions_for(DEFAULT_FEATURES)), len(actions_for(Feature))
    print(f"actions granted: default features {default}, all features {every}")


if __name__ == "__main__":
    main()
