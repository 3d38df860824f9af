"""Anchor Studio: a broadcasting studio for live-commerce hosts."""

__version__ = "0.1.0"
