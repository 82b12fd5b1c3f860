"""`python -m reev` — the same as the `reev` command."""

from reev.cli.app import main

main()
