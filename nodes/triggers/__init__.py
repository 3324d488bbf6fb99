"""Triggers node types."""
