"""Tests of collector/services/identity_center."""
