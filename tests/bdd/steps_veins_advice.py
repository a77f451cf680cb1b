"""Extra step definitions for this area (shared ones live in steps_common.py)."""

from __future__ import annotations
