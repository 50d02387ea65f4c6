"""Benchmarks: `make bench` prints figures (API calls, wall time, memory).

Every benchmark process imports this package first (``python -m benchmarks`` and ``python -m
benchmarks.<module>`` alike), so the endpoint guard is on before any client exists: a benchmark answers in
process or talks to the local AWS on 127.0.0.1, and one that would reach a real AWS endpoint stops at once.
"""

from local_aws.emulator import endpoint_guard

endpoint_guard.install()
