"""Shared primitives: errors, parsing, ids, clock, settings, templating, OpenAPI helpers.

This package imports nothing of ours; everything else may import it.
"""
