"""Auterity runtime: graph model, validation, compiler, executor."""
