"""Reflex configuration for the browser builder (``builder/``); run it with ``make builder``.

Loopback only, fixed ports out of the way of the service (8000) and the local AWS (4566).
The in-memory state manager keeps canvas state in the backend process: the canvas is the
working copy, and saving goes to the service.
"""

import reflex as rx

config = rx.Config(
    app_name="builder",
    frontend_port=23000,
    backend_port=23001,
    backend_host="127.0.0.1",
    telemetry_enabled=False,
    state_manager_mode=rx.constants.StateManagerMode.MEMORY,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="indigo", radius="medium")
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
