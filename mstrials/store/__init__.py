"""The SQLite trial cache: schema, ingest runs, change history, export."""
