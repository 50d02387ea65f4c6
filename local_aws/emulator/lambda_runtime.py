"""Lambda ``Invoke`` answered by running the function's Python handler in this process (moto runs functions
in Docker, which the local AWS does not have). Runs in the server process only.

Each function (its ARN and LastModified, so a re-created function starts cold) gets a "container": its own
fresh copy of the handler's module and its own boto3 default session, warm across invocations as in Lambda,
and the environment Lambda gives it: the function's variables, AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, and the
credentials of its execution role (assumed through moto's STS, so IAM enforcement checks the handler's calls
against that role), plus AWS_ENDPOINT_URL pointing back at this server. Invocations run one at a time (the
environment is the process's), with a context whose ``get_remaining_time_in_millis`` counts down the
function's timeout.

A handler's exception is answered as Lambda answers it: HTTP 200, ``X-Amz-Function-Error: Unhandled`` and
``{"errorType", "errorMessage", "stackTrace"}``. Only synchronous invocations (RequestResponse) run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import threading
import time
import traceback
import urllib.parse
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from local_aws.emulator.moto_caller import identify
from local_aws.emulator.wsgi import Environ, StartResponse, WsgiApp, read_body

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
_CLEARED = ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_DEFAULT_PROFILE")


@dataclass(frozen=True)
class LambdaContext:
    """What Lambda's Python runtime passes as ``context`` (the parts handlers use)."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    deadline: float  # time.time() when the function's timeout ends

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.time()) * 1000))


@dataclass
class _Container:
    module: ModuleType
    environment: dict[str, str]
    boto3_session: Any = None  # boto3's default session of this container (boto3.client() uses it)


def _fresh_module(name: str) -> ModuleType:
    """A new instance of the handler's module: its own globals (caches, clients), as in a new container."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r} for the function's handler")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def _inside(container: _Container) -> Iterator[None]:
    """The container's environment and its own boto3 default session, as if it were its own process."""
    import boto3  # noqa: PLC0415 - the server process has it; only handlers need it

    saved = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = container.boto3_session
    try:
        with _environment(container.environment):
            yield
    finally:
        container.boto3_session = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = saved


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for key in _CLEARED:
            os.environ.pop(key, None)
        os.environ.update(values)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class LambdaEmulation:
    """WSGI middleware: Lambda Invoke runs the handler here; every other request goes to ``app``."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self._lock = threading.Lock()  # one invocation at a time: the environment is the process's
        self._containers: dict[tuple[str, str], _Container] = {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Any:
        match = INVOKE_PATH.match(str(environ.get("PATH_INFO", "")))
        if environ.get("REQUEST_METHOD") != "POST" or match is None:
            return self.app(environ, start_response)
        if environ.get("HTTP_X_AMZ_INVOCATION_TYPE", "RequestResponse") != "RequestResponse":
            return self.app(environ, start_response)
        body = read_body(environ)
        caller = identify(environ)
        if caller is None:
            return self.app(environ, start_response)
        from moto.awslambda.models import lambda_backends  # noqa: PLC0415 - server process only

        name = urllib.parse.unquote(match["name"])
        qualifier = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", ""))).get("Qualifier", [None])[0]
        try:
            function = lambda_backends[caller.account_id][caller.region].get_function(name, qualifier)
        except Exception:  # unknown function: moto's own answer (ResourceNotFoundException)
            return self.app(environ, start_response)
        endpoint = f"{environ.get('wsgi.url_scheme', 'http')}://{environ['HTTP_HOST']}"
        payload, failed = self._invoke(function, caller.account_id, caller.region, endpoint, body)
        data = json.dumps(payload).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(data))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
            ("X-Amz-Executed-Version", "$LATEST"),
        ]
        if failed:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
        start_response("200 OK", headers)
        return [data]

    def _container(self, function: Any, account_id: str, region: str, endpoint: str) -> _Container:
        key = (str(function.function_arn), str(function.last_modified))
        found = self._containers.get(key)
        if found is None:
            from moto.sts.models import sts_backends  # noqa: PLC0415 - server process only
            from moto.utilities.utils import get_partition  # noqa: PLC0415

            session = sts_backends[account_id][get_partition(region)].assume_role(
                region_name=region,
                role_session_name=str(function.function_name)[:64],
                role_arn=str(function.role),
                policy="",
                duration=43200,
                external_id="",
            )
            environment = {
                **{str(k): str(v) for k, v in (function.environment_vars or {}).items()},
                "AWS_ACCESS_KEY_ID": session.access_key_id,
                "AWS_SECRET_ACCESS_KEY": session.secret_access_key,
                "AWS_SESSION_TOKEN": session.session_token,
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_LAMBDA_FUNCTION_NAME": str(function.function_name),
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
            }
            found = _Container(ModuleType("pending"), environment)
            with _inside(found):
                found.module = _fresh_module(str(function.handler).rsplit(".", 1)[0])
            self._containers[key] = found
        return found

    def _invoke(
        self, function: Any, account_id: str, region: str, endpoint: str, body: bytes
    ) -> tuple[Any, bool]:
        with self._lock:
            try:
                container = self._container(function, account_id, region, endpoint)
                handler = getattr(container.module, str(function.handler).rsplit(".", 1)[1])
                context = LambdaContext(
                    function_name=str(function.function_name),
                    invoked_function_arn=str(function.function_arn),
                    memory_limit_in_mb=int(function.memory_size),
                    aws_request_id=str(uuid.uuid4()),
                    deadline=time.time() + float(function.timeout),
                )
                with _inside(container):
                    return handler(json.loads(body or b"{}"), context), False
            except Exception as exc:
                return {
                    "errorType": type(exc).__name__,
                    "errorMessage": str(exc),
                    "stackTrace": traceback.format_tb(exc.__traceback__),
                }, True
