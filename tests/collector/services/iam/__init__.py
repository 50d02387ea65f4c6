"""Tests of collector/services/iam."""
