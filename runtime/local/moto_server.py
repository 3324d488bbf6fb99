"""moto's HTTP server with the CloudFormation models it lacks (``runtime.local.moto_cfn``).

Same arguments as ``python -m moto.server``; the local endpoint starts this instead.
"""

from __future__ import annotations

from moto.server import main

from runtime.local.moto_cfn import register

if __name__ == "__main__":
    register()
    main()
