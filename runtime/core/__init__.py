"""The kernel a node type may import: graph model, port types, errors, expressions, guard.

Imports nothing else of ours; every other layer builds on it.
"""
