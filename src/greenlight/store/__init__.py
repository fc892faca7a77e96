"""The studio's storage: the database (SQLite file or PostgreSQL), its migrations, and asset files."""

from greenlight.store.assets import AssetStore, StoredAsset, sha256_file
from greenlight.store.db import Database
from greenlight.store.home import check_inside, database_url, init_studio, open_studio, resolve_home
from greenlight.store.registry import Registry

__all__ = [
    "AssetStore", "Database", "Registry", "StoredAsset", "check_inside", "database_url", "init_studio",
    "open_studio", "resolve_home", "sha256_file",
]
