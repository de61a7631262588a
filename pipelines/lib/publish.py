"""Atomic publishing of a run's output folder.

A run never writes into its final folder. It writes into a temporary folder beside it,
``<parent>/.tmp-<run_id>``; only when everything has been written is that folder renamed into place:

1. if the target ``<parent>/<name>`` exists (the same night run earlier), it is renamed aside to
   ``<parent>/.old-<run_id>``;
2. the temporary folder is renamed to ``<parent>/<name>`` (a rename within one folder: atomic on POSIX);
3. ``<parent>/latest`` is repointed (a relative symlink, replaced with ``os.replace``, so a reader sees the
   old or the new link, never none) when the target follows the ``reports/<as-of>`` layout;
4. the old folder is deleted.

The window between 1 and 2 is the only moment the target name is absent; if step 2 fails the old folder is
renamed back. If anything raises inside the ``with`` block, the temporary folder is deleted and nothing
else is touched: ``latest`` and every earlier folder stay as they were.

``latest``: maintained only for the default layout, i.e. when the target's name is an ISO date
(``YYYY-MM-DD``), which is what ``reports/<as-of>/`` produces, wherever ``reports`` lives. An explicit
``--out DIR`` gets the same atomic replacement of DIR but no ``latest`` unless DIR's name is a date; pass
``latest=True`` / ``False`` to decide explicitly (the CLI can pass ``latest=(args.out is None)``).
``latest`` points at the newest dated folder beside it, so re-running an older night (a backfill) does not
move it backwards.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .extracts import ExtractError

class UnsafeOutputError(ExtractError):
    """The output or database folder cannot be used as asked (exit status 2): nothing was written."""


LATEST = "latest"
OWNER = ".aza-audit-writing"  # inside a .tmp- folder while it is written: the writing process id
_DATE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SAFE_RUN_ID = re.compile(r"[^A-Za-z0-9_.-]")


def is_dated_folder(path: Path) -> bool:
    """True when ``path``'s name is an ISO date: the ``reports/<as-of>`` layout."""
    if not _DATE_NAME.match(path.name):
        return False
    try:
        dt.date.fromisoformat(path.name)
    except ValueError:
        return False
    return True


@contextmanager
def staging_dir(out_dir: Path | str, run_id: str | None = None, *, latest: bool | None = None) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``out_dir``; on a clean exit publish it as ``out_dir``.

    ``latest``: None = maintain ``<parent>/latest`` only for a dated folder (see the module docstring).
    """
    out_dir = Path(out_dir).absolute()
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    tag = _SAFE_RUN_ID.sub("_", run_id or uuid.uuid4().hex)
    sweep_stale(parent)
    tmp = parent / f".tmp-{tag}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    (tmp / OWNER).write_text(f"{os.getpid()}\n", encoding="utf-8")
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (tmp / OWNER).unlink(missing_ok=True)
    (tmp / MARKER).write_text("written by aza-audit; the next run of the same night replaces this folder\n",
                              encoding="utf-8")
    try:
        publish(tmp, out_dir, tag=tag, latest=is_dated_folder(out_dir) if latest is None else latest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where the system or
    the file system cannot, so the caller falls back to two renames."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), rename_exchange)
    return result == 0


def publish(tmp: Path, out_dir: Path, *, tag: str, latest: bool) -> None:
    """Move the finished ``tmp`` into ``out_dir`` (replacing it) and repoint ``latest``.

    A folder that exists is replaced by one atomic exchange where the system allows it: a reader (and
    ``latest``, which names the folder) sees the old outputs or the new ones, never none, even if the run
    is killed; the old outputs are then in ``tmp`` and deleted (or swept by the next run)."""
    parent = out_dir.parent
    old = None
    if out_dir.is_symlink() or out_dir.is_file():
        raise FileExistsError(f"{out_dir} exists and is not a folder; refusing to replace it")
    if out_dir.exists() and exchange(tmp, out_dir):
        if latest:
            point_latest(parent)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    if out_dir.exists():
        old = parent / f".old-{tag}"
        if old.exists():
            shutil.rmtree(old)
        os.rename(out_dir, old)
    try:
        os.rename(tmp, out_dir)
    except BaseException:
        if old is not None:
            os.rename(old, out_dir)
        raise
    if latest:
        point_latest(parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def point_latest(parent: Path) -> Path | None:
    """Point ``parent/latest`` (relative symlink) at the newest dated folder in ``parent``."""
    dated = sorted(p for p in parent.iterdir() if p.is_dir() and not p.is_symlink() and is_dated_folder(p))
    if not dated:
        return None
    target = dated[-1].name
    link = parent / LATEST
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a symlink; leaving it alone")
    tmp_link = parent / f".{LATEST}-{uuid.uuid4().hex}"
    os.symlink(target, tmp_link)
    os.replace(tmp_link, link)
    return link


def _owner_alive(folder: Path) -> bool:
    """True while the process that is writing ``folder`` (its ``OWNER`` file) is running."""
    try:
        pid = int((folder / OWNER).read_text(encoding="utf-8").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def sweep_stale(parent: Path | str, older_than_hours: float = 24.0) -> list[Path]:
    """Delete the ``.tmp-*`` / ``.old-*`` folders a killed run left (run at the start of every publish):
    a ``.tmp-`` folder whose writing process is gone, and any of them older than ``older_than_hours``.
    Only folders of this naming, which only a run writes, are touched."""
    parent = Path(parent)
    removed = []
    if not parent.is_dir():
        return removed
    cutoff = time.time() - older_than_hours * 3600
    for path in sorted(parent.iterdir(), key=lambda p: not p.name.startswith(".tmp-")):  # .tmp- first
        if not (path.is_dir() and not path.is_symlink() and path.name.startswith((".tmp-", ".old-"))):
            continue
        abandoned = path.name.startswith(".tmp-") and not _owner_alive(path)
        orphaned = path.name.startswith(".old-") and not (parent / f".tmp-{path.name[5:]}").exists()
        if abandoned or orphaned or path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


# --- what an output folder may hold ------------------------------------------------------------------------

MARKER = ".aza-audit-output"  # written into every published folder: "this folder is aza-audit's"


def check_target(out_dir: Path | str, written: Iterable[str], protected: Iterable[Path | str] = ()) -> None:
    """Refuse (`UnsafeOutputError`) an output folder that a run could not replace without deleting what
    it did not write: a file; a folder holding the database or the extracts (`protected`), or lying inside
    them; a folder with anything but a previous run's outputs (`written`, names a run writes)."""
    out_dir = Path(out_dir).absolute()
    resolved = out_dir.resolve()
    for path in protected:
        path = Path(path).absolute().resolve()
        if path == resolved or resolved in path.parents:
            raise UnsafeOutputError(str(out_dir), f"holds {path.name} (the database or the extracts); "
                                                  "choose an output folder of its own")
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise UnsafeOutputError(str(out_dir), "exists and is not a folder; choose another output folder")
    if not out_dir.is_dir():
        return
    entries = sorted(p.name for p in out_dir.iterdir())
    if not entries:
        return
    allowed = set(written) | {MARKER}
    others = [name for name in entries if name not in allowed]
    if MARKER not in entries or others:
        first = (others or entries)[0]
        raise UnsafeOutputError(str(out_dir), f"holds files a run did not write ({first}"
                                              f"{f' and {len(others) - 1} more' if len(others) > 1 else ''}); "
                                              "a run never deletes or overwrites them: choose an empty or new folder")


def check_writable(folder: Path | str, what: str) -> None:
    """The folder exists (it is created) and this process can write into it; else a one-line reason."""
    folder = Path(folder).absolute()
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UnsafeOutputError(str(folder), f"cannot hold the {what}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UnsafeOutputError(str(folder), f"cannot hold the {what}: {existing} is not writable")
