"""The `reev` command line (argument handling only; the work happens in the other parts)."""
