"""Pure parse functions: API responses in, records out. No boto3, no I/O, so they are tested on canned data.

Required fields are read as ``item["Arn"]`` (a missing one fails loudly); optional ones with ``.get``.
"""
