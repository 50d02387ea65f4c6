"""CDK constructs for the read-only integration (needs the `cdk` extra: aws-cdk-lib and Node)."""
