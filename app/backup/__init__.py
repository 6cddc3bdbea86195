"""Backups: `flask backup` writes one archive of the database and the stored files; `flask restore`
reads it back into an empty database (see services)."""
