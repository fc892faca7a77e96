"""The REST routes under /api/v1, one small router per part of the studio (``app.py`` includes them all)."""
