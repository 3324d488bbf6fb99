"""Transforms node types."""
