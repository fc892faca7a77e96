"""The studio folder: where it is, how it is created, and which paths belong to it.

A studio is a folder holding ``studio.toml`` (the marker), ``assets/`` (content-addressed files) and,
unless ``GREENLIGHT_DATABASE_URL`` points elsewhere, ``greenlight.db`` (SQLite).
"""

from __future__ import annotations

import os
from pathlib import Path

from greenlight.domain.serial import to_plain, utcnow
from greenlight.errors import OutsideStudio, StudioError
from greenlight.store.db import Database

MARKER = "studio.toml"
ASSETS = "assets"
HOME_ENV = "GREENLIGHT_HOME"
DATABASE_ENV = "GREENLIGHT_DATABASE_URL"


def resolve_home(explicit: Path | None) -> Path:
    """The studio folder: ``explicit`` if given, else ``$GREENLIGHT_HOME``, made absolute.

    Raises:
        StudioError: neither is set.
    """
    chosen = explicit if explicit is not None else os.environ.get(HOME_ENV)
    if not chosen:
        raise StudioError("no studio folder given", f"run `greenlight init DIR` or set {HOME_ENV}")
    return Path(chosen).expanduser().resolve()


def database_url(home: Path) -> str:
    """``$GREENLIGHT_DATABASE_URL`` if set, else the SQLite file ``greenlight.db`` in the studio folder."""
    return os.environ.get(DATABASE_ENV) or f"sqlite:///{Path(home).resolve() / 'greenlight.db'}"


def init_studio(path: Path) -> Path:
    """Create a studio at ``path`` (or bring an existing one's database up to date).

    Returns:
        the studio folder, absolute.

    Raises:
        StudioError: ``path`` is a file, or the database cannot be reached.
    """
    home = Path(path).expanduser().resolve()
    if home.exists() and not home.is_dir():
        raise StudioError(f"{home} is a file, not a folder", "choose a new or existing folder for the studio")
    (home / ASSETS).mkdir(parents=True, exist_ok=True)
    marker = home / MARKER
    if not marker.exists():
        marker.write_text(f'# Greenlight studio\n[studio]\nformat = 1\ncreated_at = "{to_plain(utcnow())}"\n')
    database = Database(database_url(home))
    try:
        database.upgrade()
    finally:
        database.dispose()
    return home


def open_studio(home: Path) -> Database:
    """The database of the studio at ``home``, checked to be initialised and migrated.

    Raises:
        StudioError: ``home`` is not a studio, or its database is missing or not migrated.
    """
    home = Path(home)
    if not (home / MARKER).is_file():
        raise StudioError(f"{home} is not a Greenlight studio (no {MARKER})", f"run `greenlight init {home}`")
    database = Database(database_url(home))
    try:
        database.check()
    except StudioError:
        database.dispose()
        raise
    return database


def check_inside(home: Path | str, path: Path | str) -> Path:
    """``path`` made absolute, refusing one that leads outside the studio folder.

    A relative ``path`` is taken from ``home``. Symbolic links and ``..`` are followed first, so a
    link inside the studio that points outside it is refused too.

    Raises:
        OutsideStudio: the resolved path is not inside ``home``.
    """
    root = Path(home).resolve()
    resolved = (root / Path(path).expanduser()).resolve()
    if not resolved.is_relative_to(root):
        raise OutsideStudio(
            f"{path} is outside the studio {root}", "choose a path inside the studio folder for studio files"
        )
    return resolved
