"""Comment migration: pure-Python export parsers, URL keys and HTML cleaning (no Django)."""
