"""The canvas as plain data: graphs to React Flow and back, layout, clipboard, history, problems.

No Reflex here, so it is tested as plain functions.
"""
