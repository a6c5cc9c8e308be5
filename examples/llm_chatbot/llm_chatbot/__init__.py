"""LLM Chatbot: a multi-tenant university chatbot service (legacy admin API, before the Standard API v2)."""

__version__ = "2.3.0"
