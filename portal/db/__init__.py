"""The SQLite database backend of the portal (``ENGINE = "portal.db"``): see ``base``."""
