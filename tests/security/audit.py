"""A process-wide audit hook that records dangerous events, but only while asked to.

``sys.addaudithook`` cannot be undone, so the hook is installed once, when this module is first
imported, and does nothing but a flag check unless a ``recording()`` block is active. The flag is
a plain module global rather than a context variable on purpose: ``loop.getaddrinfo`` and other
executor work run on threads that do not inherit the caller's context, and an event there must
still count.

What is watched (CPython audit event names):

* code execution: ``exec``, ``compile``, ``code.__new__``, ``function.__new__``,
  ``cpython.run_*``, ``sys._getframe``, ``object.__getattr__`` (raised for frame and code
  attributes such as ``tb_frame``/``f_globals``, the usual second step of a dunder chain);
* processes: ``os.system``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn*``, ``os.fork*``,
  ``os.kill``, ``subprocess.Popen``;
* imports of modules not already imported (``import``), and native code: ``ctypes.*``;
* files: ``open`` of any path, plus ``os.listdir``/``os.scandir``/``os.remove``/``os.rename``/
  ``shutil.*``/``glob.glob``;
* network: ``socket.connect``, ``socket.getaddrinfo``, ``socket.gethostbyname``,
  ``http.client.connect``, ``urllib.Request``;
* deserialization and interaction: ``pickle.find_class``, ``marshal.loads``, ``builtins.input``,
  ``webbrowser.open``, ``sys.settrace``, ``sys.setprofile``.

Allowed, because the product does them by design and a payload cannot steer them anywhere
else: reading time-zone data (``open`` under the ``tzdata`` package or a system zoneinfo
directory, ``import`` of ``tzdata.*``) when a node looks up a zone name that matched its
``[A-Za-z0-9_+-/]`` pattern; and httpcore's probe for the optional ``sniffio`` module, which it
attempts (and, when sniffio is not installed, fails) every time it sets up a connection lock.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

EXACT = frozenset(
    {
        "exec",
        "compile",
        "code.__new__",
        "function.__new__",
        "sys._getframe",
        "object.__getattr__",
        "os.system",
        "os.kill",
        "os.killpg",
        "subprocess.Popen",
        "import",
        "open",
        "os.listdir",
        "os.scandir",
        "os.remove",
        "os.rename",
        "os.rmdir",
        "os.mkdir",
        "os.chmod",
        "os.putenv",
        "os.unsetenv",
        "glob.glob",
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "http.client.connect",
        "urllib.Request",
        "pickle.find_class",
        "marshal.loads",
        "marshal.load",
        "builtins.input",
        "webbrowser.open",
        "sys.settrace",
        "sys.setprofile",
    }
)
PREFIXES = (
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "os.fork",
    "ctypes.",
    "shutil.",
    "cpython.run_",
)

_TZ_DIRS: tuple[str, ...] = ("/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo")
try:
    import tzdata  # type: ignore[import-untyped]  # a data package: no types

    _TZ_DIRS = (*_TZ_DIRS, str(Path(tzdata.__file__).parent))
except ImportError:  # pragma: no cover - tzdata is a dependency
    pass

FIXED_IMPORTS = frozenset({"sniffio"})
"""Module names libraries import lazily on every call; never taken from user data."""

_recording = False
_events: list[tuple[str, str]] = []


def _watched(event: str) -> bool:
    return event in EXACT or event.startswith(PREFIXES)


def _allowed(event: str, args: tuple[object, ...]) -> bool:
    if event == "open" and args and isinstance(args[0], str | bytes):
        path = args[0].decode(errors="replace") if isinstance(args[0], bytes) else args[0]
        return path.startswith(_TZ_DIRS)
    if event == "import" and args and isinstance(args[0], str):
        name = args[0]
        return (
            name in sys.modules
            or name in FIXED_IMPORTS
            or name == "tzdata"
            or name.startswith("tzdata.")
        )
    return False


def _hook(event: str, args: tuple[object, ...]) -> None:
    if not _recording or not _watched(event):
        return
    if _allowed(event, args):
        return
    try:
        shown = repr(args)[:200]
    except Exception:  # a hostile __repr__ must not break the hook
        shown = "<unrepresentable>"
    _events.append((event, shown))


sys.addaudithook(_hook)


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[str, str]]]:
    """Record watched events until the block ends; yields a list filled when it ends."""
    global _recording
    _events.clear()
    found: list[tuple[str, str]] = []
    _recording = True
    try:
        yield found
    finally:
        _recording = False
        found.extend(_events)
        _events.clear()
