"""``report``: one self-contained HTML page of what an inventory holds.

- inventory.py: what the report reads (the store's rows, scopes and runs), with kinds this collector does
  not declare read as absent, never as an error;
- model.py: pure functions from those rows to frozen section records (no I/O, no HTML);
- page.py: the records as JSON data embedded in one HTML file with the page's CSS and JavaScript
  (static/, shipped as package data): no server, no network.
"""
