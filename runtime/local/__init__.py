"""Local development runtime behind ``make run``: a local AWS endpoint and a process supervisor.

Nothing here is imported by the Lambda bundle; it exists so a laptop can run the whole
service against a real HTTP endpoint (moto) whose state survives restarts.
"""
