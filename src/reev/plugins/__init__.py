"""Registries by name, and the `reev` entry-point group installed packages extend them through.

See `reev.plugins.registry` and docs/plugins.md.
"""
