"""Writes to the grid go through these service functions (see docs/architecture.md)."""
