"""Journeys through eha in a real browser (Playwright + Chromium)."""
