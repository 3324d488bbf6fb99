"""Performance benchmarks: ``python -m bench`` (``make bench``) prints one table of ratios."""
