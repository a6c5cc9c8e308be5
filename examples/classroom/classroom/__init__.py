"""Classroom: an AI teaching assistant for schools, one tenant per school (legacy API, before the Standard API v2)."""

__version__ = "0.9.4"
