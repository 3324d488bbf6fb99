"""Pages of the builder app."""
