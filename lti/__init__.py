"""A domain: Coursewire as an LTI 1.3 tool (platform registrations, the tool's keys, OIDC
login, launches that sign the platform's user in where the link points)."""
