"""What an AI node needs to ask a model: request and reply shapes, policy, the bound session.

The router itself belongs to the app (``runtime.ai``), which binds the session around a run.
"""
