"""Tests of collector/services/cloudtrail."""
