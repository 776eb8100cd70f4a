"""needminer."""
