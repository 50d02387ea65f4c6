"""The vendor's customers: the record and its rules (record), its SQLite table (store), the run settings a
customer implies (run_settings) and what the customer runs to deploy (onboarding)."""
