"""Readers of a Plan: text for doctors (and, later, other formats)."""
