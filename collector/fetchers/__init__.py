"""Fetchers: one module per AWS service. Each declares PERMISSIONS next to the calls it makes.

The catalog (collector.permissions) gathers those declarations; importing it first keeps the import order the
same whichever fetcher module a caller imports first.
"""

import collector.permissions  # noqa: F401
