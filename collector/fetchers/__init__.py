"""Fetchers: one module per AWS service. Each declares PERMISSIONS next to the calls it makes."""
