"""The emulated CloudTrail: management events recorded from calls to the server, and LookupEvents."""
