"""Auterity node types."""
