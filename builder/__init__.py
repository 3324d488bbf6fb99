"""The browser builder: a Reflex app whose canvas edits ``runtime.core.graph.Graph`` documents."""
