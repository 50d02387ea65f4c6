"""Tests of collector/services: one package per service."""
