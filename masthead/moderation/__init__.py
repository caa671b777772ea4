"""Masthead comment moderation: pure-Python guideline checks (no Django imports)."""
