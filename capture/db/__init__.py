"""Persistence plumbing: connections (SQLite pragmas, `BEGIN IMMEDIATE`),
write transactions, column types, and what each process keeps."""
