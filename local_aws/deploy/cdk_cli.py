"""The project's own CDK CLI (``node_modules/.bin/cdk``), pointed at the local AWS: ``cdk bootstrap`` and
``cdk deploy --method=direct``, as a customer runs them against AWS.

Everything the CLI writes (its home, ``cdk.out``, the outputs file) goes to a work directory, never into the
checkout or the user's home; the user's own AWS configuration files are hidden from it, so it can only ever
talk to the emulator.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from local_aws.emulator.client import AccessKey, isolated_environment

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CDK_BIN = PROJECT_ROOT / "node_modules" / ".bin" / "cdk"
# The CLI itself takes 5-30 s to synthesize on 2 busy cores; far more means something hangs.
TIMEOUT_SECONDS = 600.0
_OUTPUT_TAIL = 4000


class CdkCliError(RuntimeError):
    """The CDK CLI is missing or one of its commands failed (the message carries its output's tail)."""


@dataclass(frozen=True)
class CdkCli:
    """Runs the CDK CLI of this checkout against ``endpoint_url`` with ``credentials``, in ``region``."""

    endpoint_url: str
    credentials: AccessKey
    workdir: Path
    region: str = "us-east-1"
    executable: Path = CDK_BIN

    def environment(self) -> dict[str, str]:
        """The process environment, minus anything that could reach real AWS, plus the emulator's."""
        env = isolated_environment(self.endpoint_url, self.credentials, self.region, str(self.workdir))
        env = {k: v for k, v in env.items() if not k.startswith("CDK_")}
        env.update(
            {
                "CDK_HOME": str(self.workdir / "cdk-home"),
                "CDK_DISABLE_CLI_TELEMETRY": "true",
                "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            }
        )
        return env

    def run(self, args: Sequence[str], *, cwd: Path) -> str:
        """``cdk <args> --no-notices``; returns its output, raises CdkCliError with the tail on failure."""
        if not self.executable.is_file():
            raise CdkCliError(f"the CDK CLI is not installed at {self.executable}: run `make install`")
        self.workdir.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(  # noqa: S603 - the project's own CLI with fixed arguments
            [str(self.executable), *args, "--no-notices"],
            cwd=cwd,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise CdkCliError(f"cdk {args[0]} exited {result.returncode}: ...{output[-_OUTPUT_TAIL:]}")
        return output

    def bootstrap(self, account_id: str) -> None:
        """``cdk bootstrap aws://ACCOUNT/REGION``, from an empty directory: no app to synthesize first."""
        empty = self.workdir / "bootstrap"
        empty.mkdir(parents=True, exist_ok=True)
        self.run(["bootstrap", f"aws://{account_id}/{self.region}"], cwd=empty)

    def deploy(self, stack_name: str, context: Mapping[str, str]) -> dict[str, str]:
        """``cdk deploy STACK -c key=value... --method=direct`` of the project's app; returns the outputs.

        ``--method=direct`` (create/update the stack without a change set) is what works against moto.
        """
        outputs_file = self.workdir / "outputs.json"
        outputs_file.unlink(missing_ok=True)
        args = ["deploy", stack_name, "--method=direct", "--require-approval=never"]
        for key, value in context.items():
            args += ["-c", f"{key}={value}"]
        args += ["--output", str(self.workdir / "cdk.out"), "--outputs-file", str(outputs_file)]
        self.run(args, cwd=PROJECT_ROOT)
        outputs: dict[str, dict[str, str]] = json.loads(outputs_file.read_text())
        return dict(outputs[stack_name])

    def synthesized_template(self, stack_name: str) -> dict[str, object]:
        """The template ``deploy`` synthesized (in the work directory's ``cdk.out``)."""
        path = self.workdir / "cdk.out" / f"{stack_name}.template.json"
        template: dict[str, object] = json.loads(path.read_text())
        return template
