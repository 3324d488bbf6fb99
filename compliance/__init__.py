"""Compliance packs over a graph's data flow: which sensitive data reaches which node.

``flow`` computes the data classes on every node and edge, ``packs`` hold the rules as data,
``check`` runs them into findings and diagnostics, ``fix`` turns mechanical remedies into
graph patches the builder can preview.
"""
