"""Lint rules (see the lint issue)."""
