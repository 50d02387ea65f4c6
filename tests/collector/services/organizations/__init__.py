"""Tests of collector/services/organizations."""
