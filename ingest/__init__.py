"""Loaders: turn the reviewable source files under ingest/ into validated records.

A loader never writes SQL. It returns records, or raises `kb.core.errors.InputErrors` naming file,
row (line) and column (field) of every problem it found.
"""
