"""The shell: application assembly, runtime, middleware, CLI, demo and the shared templates.

The Runtime (app.runtime) puts the shared templates (base.html, error pages, form fields)
first in the template search path and installs every package (app.domains).
"""
