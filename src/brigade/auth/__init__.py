"""Users, passwords, sessions (JWT + rotating refresh tokens), API tokens, permissions."""
