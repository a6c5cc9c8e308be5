"""Mentor: an AI study mentor, one deployment per university (legacy API, before the Standard API v2)."""

__version__ = "3.1.0"
