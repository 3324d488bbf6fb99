"""Loop node types (containers with a body)."""
