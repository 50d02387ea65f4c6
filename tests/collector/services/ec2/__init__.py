"""Tests of collector/services/ec2."""
