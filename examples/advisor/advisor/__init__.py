"""Advisor: the AI tutoring service of the universities in the Service Market (legacy tenant-admin API)."""

__version__ = "1.4.2"
