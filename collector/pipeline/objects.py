"""Where the pipeline's objects live: S3 in production, memory in tests and benchmarks. Keys: ``layout``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Protocol

from botocore.exceptions import ClientError

JSON = "application/json"
JSON_LINES = "application/x-ndjson"


class ObjectStore(Protocol):
    def put(self, key: str, body: bytes, content_type: str = JSON) -> None: ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes; None when there is no such object."""
        ...

    def keys(self, prefix: str) -> Iterator[str]: ...


class S3Objects:
    """One bucket through an S3 client (botocore clients are thread-safe)."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def put(self, key: str, body: bytes, content_type: str = JSON) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return bytes(answer["Body"].read())

    def keys(self, prefix: str) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", ()):
                yield str(item["Key"])


class MemoryObjects:
    """An in-memory bucket (thread-safe), for tests and benchmarks that measure the collector, not S3."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.objects: dict[str, bytes] = {}
        self.puts = 0

    def put(self, key: str, body: bytes, content_type: str = JSON) -> None:
        with self._lock:
            self.objects[key] = bytes(body)
            self.puts += 1

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self.objects.get(key)

    def keys(self, prefix: str) -> Iterator[str]:
        with self._lock:
            found = sorted(k for k in self.objects if k.startswith(prefix))
        yield from found
