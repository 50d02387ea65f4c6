"""The vendor's collector: assumes the customer's read-only role and fetches the identity inventory.

This package must import without aws-cdk-lib and without Node: it runs in the vendor's infrastructure.
"""

__version__ = "0.1.0"
