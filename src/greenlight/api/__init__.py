"""The studio service: a FastAPI app over the runtime layer (REST under /api/v1, the review web UI)."""
