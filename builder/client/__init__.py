"""The builder's HTTP client of the service: calls, and the answers parsed with its wire models."""
