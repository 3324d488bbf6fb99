"""``python -m runtime.cli``: the ``auterity`` command."""

from runtime.cli.root import main

main()
