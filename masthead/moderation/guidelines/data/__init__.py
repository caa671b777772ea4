"""Word lists written for Masthead (our own writing, shipped with the code)."""
