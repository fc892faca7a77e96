"""The red-team attacks use the CLI's fixtures (the real entry point against a fresh studio)."""

from tests.cli.conftest import cli, snapshot  # noqa: F401  (fixtures)
