"""Files under ``.auterity/local`` are private: a 0700 folder of 0600 files (issue 13.7).

They hold every recorded DynamoDB write (password and key hashes, graph configs, run
records), the children's logs and the demo credentials. Modes are set when a file is
created (``os.open`` with a mode, never the umask's 0644) and tightened on every start
for files an older version left readable.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (0700) if needed and tighten it and every file inside it."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR)
    for child in path.rglob("*"):
        if child.is_symlink():
            continue
        wanted = PRIVATE_DIR if child.is_dir() else PRIVATE_FILE
        if stat.S_IMODE(child.lstat().st_mode) != wanted:
            os.chmod(child, wanted)
    return path


def open_private(path: Path, *, append: bool = True) -> int:
    """A descriptor for writing ``path``, created 0600 (an existing file is chmod-ed too)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return fd


def write_private(path: Path, chunks: Iterable[bytes]) -> int:
    """Atomically replace ``path`` with ``chunks`` (0600, fsync-ed); return the chunk count.

    Written to a sibling first and renamed over the original, so a crash leaves either the
    old file or the new one, never a mix.
    """
    staging = path.with_name(path.name + ".writing")
    fd = open_private(staging, append=False)
    count = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                count += 1
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    os.replace(staging, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return count


def write_private_text(path: Path, text: str) -> None:
    """Small state files (pid files, credentials, the server file): atomic and 0600."""
    write_private(path, [text.encode()])
