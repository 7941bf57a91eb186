"""The platform: users, registration, login, sessions, bearer tokens and passwords."""
