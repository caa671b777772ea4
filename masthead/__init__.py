"""Masthead: a self-hosted news publishing platform (Django + Wagtail)."""
