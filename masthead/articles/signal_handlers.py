"""Signal handlers for stories (cache purges are connected here)."""
