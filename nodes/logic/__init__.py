"""Logic node types."""
