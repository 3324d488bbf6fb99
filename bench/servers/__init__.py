"""ASGI apps the HTTP benchmarks start under uvicorn, each in its own process.

They read everything from the environment the benchmark gives them (``AWS_ENDPOINT_URL`` of
the local moto server, fake credentials), so ``python -m uvicorn bench.servers.<module>:app``
is all it takes to serve one.
"""
