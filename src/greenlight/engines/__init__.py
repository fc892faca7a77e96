"""Engines: one module or package each, behind the protocol in base.py, found by entry point."""
