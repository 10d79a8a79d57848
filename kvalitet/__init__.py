"""Kvalitet: drafting help for Swedish school follow-ups and quality reports."""

__version__ = "0.1.0"
