"""`python -m greenlight`: the same as the `greenlight` command."""

from greenlight.cli.app import main

main()
