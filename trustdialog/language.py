"""Gentle hints on wording, and the feelings vocabulary helpers (no UI)."""
