"""AI: the model router over the OpenAI and Anthropic SDKs, usage and budgets, graph generation.

Nothing here imports a provider SDK at module level: the SDKs are imported inside the provider
modules when a provider is first used, so neither the Lambda cold start nor a graph without
AI nodes pays for them.
"""
