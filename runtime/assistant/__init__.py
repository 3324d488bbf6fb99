"""Natural language to a validated graph: model-generated with repair rounds, or a template."""
