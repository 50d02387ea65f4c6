"""``doctor``: verify a customer's deployment before the first collection, without changing anything.

- ``report``: findings (ok, note, problem, critical), the terminal table and the JSON.
- ``trust``: the trust-policy analysis (pure).
- ``probes``: one cheap, read-only call per catalog action, grouped by fetcher family.
- ``checks``: the checks of one account (assume with, without and with a wrong ExternalId; trust policy;
  permissions) and of an organization (which accounts need a role; Identity Center), with the AWS calls.
"""
