"""Nodes whose job is protecting data: redaction, masking."""
