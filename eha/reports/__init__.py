"""Managers' reports and the statutory returns: SQL aggregates, charts, CSV streams (no Flask request)."""
