"""Files the app reads without holding them in memory: uploads copied to a temporary folder a
chunk at a time, and files (or folders of Parquet files) in a server data folder.

The server data folder is named by the environment variable ``JOURNEY_DATA_DIR``; only paths
inside it can be opened (a path given with ``..``, an absolute path, or a link that leads out
of the folder is refused with ``errors.outside_data_folder``). Uploads are kept in
``JOURNEY_UPLOAD_DIR`` (default: ``journey-uploads`` in the system's temporary folder), one
folder per content digest, so the same file uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from journeylib.errors import DataError
from journeylib.read import ARCHIVE_EXTENSIONS, PARQUET_EXTENSIONS, TABLE_EXTENSIONS

DATA_DIR_ENV = "JOURNEY_DATA_DIR"
UPLOAD_DIR_ENV = "JOURNEY_UPLOAD_DIR"
CHUNK_BYTES = 8 * 2**20
# Uploads older than this are removed when another file is uploaded.
UPLOAD_KEEP_SECONDS = 24 * 3600
# At most this many entries are listed from the data folder.
MAX_LISTED = 500


def data_folder() -> Path | None:
    """The server data folder (``JOURNEY_DATA_DIR``, resolved), or None when it is not set or
    not a folder."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser().resolve()
    return folder if folder.is_dir() else None


def resolve_in_folder(relative: str, folder: Path | None = None) -> Path:
    """The file or folder ``relative`` names inside the data folder (``folder``, default
    :func:`data_folder`). Raises :class:`DataError`: ``errors.no_data_folder`` when there is no
    data folder, ``errors.outside_data_folder`` for an absolute path, a path with ``..`` or one
    whose links lead out of the folder, ``errors.not_in_data_folder`` when nothing is there."""
    root = folder if folder is not None else data_folder()
    if root is None:
        raise DataError(code="errors.no_data_folder", params={"variable": DATA_DIR_ENV})
    root = root.resolve()
    text = str(relative).strip()
    parts = re.split(r"[\\/]+", text)
    if (
        not text or "\0" in text or PurePosixPath(text).is_absolute()
        or PureWindowsPath(text).is_absolute() or PureWindowsPath(text).drive
        or ".." in parts
    ):
        raise DataError(code="errors.outside_data_folder", params={"path": text})
    target = (root / Path(*[p for p in parts if p not in ("", ".")])).resolve()
    if target != root and root not in target.parents:
        raise DataError(code="errors.outside_data_folder", params={"path": text})
    if target == root or not target.exists():
        raise DataError(code="errors.not_in_data_folder", params={"path": text})
    return target


def folder_entries(folder: Path | None = None) -> list[str]:
    """What the data folder holds that can be opened: table files (CSV/TSV/TXT, Excel, Parquet,
    .gz, .zip) and folders that hold Parquet files, as paths relative to the folder (``/``
    between parts), sorted; hidden entries left out; at most :data:`MAX_LISTED`."""
    root = folder if folder is not None else data_folder()
    if root is None:
        return []
    found: list[str] = []
    for current, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        here = Path(current)
        if here != root and any(Path(n).suffix.lower() in PARQUET_EXTENSIONS for n in names):
            found.append(here.relative_to(root).as_posix() + "/")
        for name in sorted(names):
            if name.startswith((".", "~$")):
                continue
            if Path(name).suffix.lower() in TABLE_EXTENSIONS | ARCHIVE_EXTENSIONS:
                found.append((here / name).relative_to(root).as_posix())
        if len(found) >= MAX_LISTED:
            break
    return sorted(found)[:MAX_LISTED]


def path_digest(path: Path) -> str:
    """A key for a file or folder on disk that changes when its content does: its path, and
    each file's size and modification time (the files are not read)."""
    digest = hashlib.sha256(str(path.resolve()).encode())
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        stat = file.stat()
        digest.update(f"|{file}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def upload_folder() -> Path:
    """Where uploads are kept (``JOURNEY_UPLOAD_DIR``, default ``journey-uploads`` in the
    system's temporary folder), created when missing."""
    value = os.environ.get(UPLOAD_DIR_ENV, "").strip()
    folder = Path(value) if value else Path(tempfile.gettempdir()) / "journey-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def safe_name(name: str) -> str:
    """A file name that is a single path part: the last part of ``name`` without control
    characters ("data" when nothing is left)."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = "".join(c for c in base if c.isprintable()).strip().lstrip(".")
    return base[:200] or "data"


def save_upload(
    stream: BinaryIO, name: str, *, size: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[Path, str]:
    """Copy an uploaded file to the upload folder a chunk at a time (never the whole file in
    memory): returns its path (``<digest>/<name>``, so the name still tells the format) and
    the SHA-256 digest of its content. ``progress(bytes copied, size)`` is called after each
    chunk. Uploads older than :data:`UPLOAD_KEEP_SECONDS` are removed."""
    folder = upload_folder()
    _remove_old(folder)
    digest = hashlib.sha256()
    copied = 0
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".part-", delete=False) as out:
        while chunk := stream.read(CHUNK_BYTES):
            out.write(chunk)
            digest.update(chunk)
            copied += len(chunk)
            if progress is not None:
                progress(copied, size)
    key = digest.hexdigest()
    target = folder / key / safe_name(name)
    if target.exists():
        os.unlink(out.name)
    else:
        target.parent.mkdir(exist_ok=True)
        os.replace(out.name, target)
    os.utime(target)  # in use again: kept another day
    return target, key


def _remove_old(folder: Path) -> None:
    cutoff = time.time() - UPLOAD_KEEP_SECONDS
    for entry in folder.iterdir():
        try:
            if entry.stat().st_mtime >= cutoff:
                continue
            if entry.is_dir():
                if all(f.stat().st_mtime < cutoff for f in entry.iterdir()):
                    shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        except OSError:
            continue
