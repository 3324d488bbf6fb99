"""Http node types."""
