"""Durable runs: checkpoints, waits, resumption, the sweeper (see README, Durable runs)."""
