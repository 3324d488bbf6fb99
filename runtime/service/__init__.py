"""The HTTP service: management API under /api/v1 and deployed graphs under /t/{tenant}/{slug}."""
