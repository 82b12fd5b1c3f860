"""`python -m reev` — the same as the `reev` command."""

from reev.cli.app import main

# Guarded: a spawned child process (`reev serve --worker-processes`) imports the parent's
# main module as `__mp_main__`, and must not run the command line again.
if __name__ == "__main__":
    main()
