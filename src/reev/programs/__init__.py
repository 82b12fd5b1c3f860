"""Instruction builders and decoders for the programs reev's tasks use.

This part builds and reads instructions; it never signs or sends them.
"""
