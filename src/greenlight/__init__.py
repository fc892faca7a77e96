"""Greenlight: consent-first generative AI for film and TV production."""

__version__ = "0.1.0"
