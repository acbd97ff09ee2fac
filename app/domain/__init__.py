"""The domain core: plain Python that knows nothing of HTTP, Flask or the database."""
