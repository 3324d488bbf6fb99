"""Nodes that make a run wait for a person or a system, or call another graph."""
