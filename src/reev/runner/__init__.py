"""Run episodes and suites: one benchmark × agent × epoch at a time, or many.

The runner orchestrates; scoring and storage live in their own parts.
"""
