"""The engine: validate, resolve, compile and run graphs of node types (never the app)."""
