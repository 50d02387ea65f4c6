"""The ready CDK app: `npx cdk synth -c key=value` (see docs/deploy-account.md)."""
