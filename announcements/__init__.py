"""A domain: course announcements (service, events, routes, templates)."""
