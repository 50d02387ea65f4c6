"""Run the local AWS: moto's server application, bound to 127.0.0.1, in its own process.

``python -m local_aws.server --port 0`` (the public entry point; it runs ``main`` here) binds a free port and
prints ``LISTENING <port>`` once it serves.
``LocalAws`` starts that process from tests, benchmarks and the demo, and stops it by its PID.
Emulations of APIs that moto lacks are WSGI middlewares added in ``build_app``.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from types import TracebackType
from typing import IO, Any

from collector.formats import InvalidSettingError
from local_aws.emulator.client import LocalAwsClient
from local_aws.emulator.protocol import (
    CLOUDTRAIL_DELIVERY_ENV,
    CLOUDTRAIL_RATE_ENV,
    CLOUDTRAIL_RECORD_ENV,
    DEFAULT_DELIVERY_SECONDS,
    DOCUMENTED_LOOKUPS_PER_SECOND,
)

__all__ = ["HOST", "LocalAws", "build_app", "main"]

HOST = "127.0.0.1"
READY_PREFIX = "LISTENING "


def build_app() -> Any:
    """moto's WSGI application, wrapped by the emulations of what moto lacks (outermost last).

    CloudTrail is outermost so that it records calls answered by the other emulations too (the switch of
    trust evaluation around it answers its own path only).
    """
    from moto.moto_server.werkzeug_app import (  # noqa: PLC0415 - heavy import, server process only
        DomainDispatcherApplication,
        create_backend_app,
    )

    from local_aws.emulator import moto_fixes  # noqa: PLC0415
    from local_aws.emulator.account_access import AccountAccessEmulation  # noqa: PLC0415
    from local_aws.emulator.cloudtrail.emulation import CloudTrailEmulation  # noqa: PLC0415 - imports moto
    from local_aws.emulator.ec2 import Ec2Emulation  # noqa: PLC0415
    from local_aws.emulator.identity_center import IdentityCenterEmulation  # noqa: PLC0415
    from local_aws.emulator.lambda_runtime import LambdaEmulation  # noqa: PLC0415
    from local_aws.emulator.moto_tuning import share_aws_managed_policy_data  # noqa: PLC0415
    from local_aws.emulator.trust_evaluation import TrustEvaluationSwitch, patch_trust_evaluation  # noqa: PLC0415
    from local_aws.emulator.wsgi import JsonProtocolAuthErrors  # noqa: PLC0415

    share_aws_managed_policy_data()
    moto_fixes.apply()
    patch_trust_evaluation()
    app = LambdaEmulation(JsonProtocolAuthErrors(DomainDispatcherApplication(create_backend_app)))
    return TrustEvaluationSwitch(
        CloudTrailEmulation(AccountAccessEmulation(Ec2Emulation(IdentityCenterEmulation(app))))
    )


def _exit_now(*_: object) -> None:
    """Nothing is kept across runs: skip the interpreter's teardown of moto's state (seconds when big)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def serve(port: int) -> None:
    from moto.moto_server.werkzeug_app import MotoRequestHandler  # noqa: PLC0415
    from werkzeug.serving import make_server  # noqa: PLC0415

    # One log line per request costs time and fills the log; errors are still logged.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(HOST, port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    signal.signal(signal.SIGTERM, _exit_now)
    # moto's Step Functions interpreter calls the services of its tasks (Lambda, S3) at this port.
    os.environ["MOTO_PORT"] = str(server.server_address[1])
    print(f"{READY_PREFIX}{server.server_address[1]}", flush=True)
    server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    serve(parser.parse_args(argv).port)


class LocalAws(LocalAwsClient):
    """A local AWS server process on 127.0.0.1: start, talk to it (``LocalAwsClient``), stop.

    Use as a context manager so the process is stopped on failure too.
    """

    def __init__(
        self,
        *,
        load_aws_managed_policies: bool = False,
        cloudtrail_lookups_per_second: float = DOCUMENTED_LOOKUPS_PER_SECOND,
        record_api_calls: bool = True,
        cloudtrail_delivery_seconds: float | None = DEFAULT_DELIVERY_SECONDS,
        log_path: str | None = None,
    ) -> None:
        """``load_aws_managed_policies``: AWS-managed policies exist (attachable); costs time per account.
        ``cloudtrail_lookups_per_second``: LookupEvents rate per account and region (CloudTrail's is 2;
        ``math.inf`` switches the limit off). ``record_api_calls``: record successful mutating calls as
        CloudTrail management events. ``cloudtrail_delivery_seconds``: how often trails' log files are
        delivered into their buckets (None: only on ``deliver_trail_logs()``).
        """
        if not cloudtrail_lookups_per_second > 0:
            raise InvalidSettingError(
                "cloudtrail_lookups_per_second",
                cloudtrail_lookups_per_second,
                "a rate > 0 (math.inf: no limit)",
            )
        self._load_managed = load_aws_managed_policies
        self._lookup_rate = cloudtrail_lookups_per_second
        self._record = record_api_calls
        self._delivery = cloudtrail_delivery_seconds
        self._log_path = log_path
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self.port = 0
        super().__init__(self.endpoint_url)

    @property
    def endpoint_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout: float = 60.0) -> LocalAws:
        env = dict(os.environ)
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true" if self._load_managed else "false"
        env[CLOUDTRAIL_RATE_ENV] = "inf" if math.isinf(self._lookup_rate) else str(self._lookup_rate)
        env[CLOUDTRAIL_DELIVERY_ENV] = "off" if self._delivery is None else str(self._delivery)
        env[CLOUDTRAIL_RECORD_ENV] = "true" if self._record else "false"
        # Without a log file, stderr goes to a temporary file so that a failed start can say why.
        log = open(self._log_path, "a") if self._log_path else tempfile.TemporaryFile("w+")  # noqa: SIM115
        self._log = log
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "local_aws.emulator.server", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + timeout
        assert self._proc.stdout is not None
        while time.monotonic() < deadline:
            line = self._proc.stdout.readline()
            if line.startswith(READY_PREFIX):
                self.port = int(line[len(READY_PREFIX) :])
                return self
            if not line and self._proc.poll() is not None:
                break
        tail = self._log_tail()
        self.stop()
        raise RuntimeError(f"the local AWS server did not start: {tail}")

    def _log_tail(self, limit: int = 2000) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        if self._log_path:
            with open(self._log_path) as log:
                return log.read()[-limit:]
        self._log.seek(0)
        return str(self._log.read())[-limit:]

    def stop(self) -> None:
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        self._proc = None

    def __enter__(self) -> LocalAws:
        return self.start() if self._proc is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


if __name__ == "__main__":
    main()
