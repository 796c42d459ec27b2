"""Settings, token verification and CORS setup."""
