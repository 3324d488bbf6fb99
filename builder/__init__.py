"""The browser builder: a Reflex app whose canvas edits ``runtime.graph.Graph`` documents."""
