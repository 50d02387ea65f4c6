"""The customer-deploy driver: the organization integration deployed onto the local AWS as a customer does."""
