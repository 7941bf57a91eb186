"""The platform: courses, memberships, roles and the one role -> audience rule."""
