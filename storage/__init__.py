"""The database: schema, migrations and every query (SQLAlchemy; SQLite or PostgreSQL)."""
