"""`bafa doctor`: audit a Better Auth + FastAPI project's auth setup.

facts.py gathers (files, git, the app imported in a subprocess by inspect_app.py),
check_*.py judge (one function per check id), runner.py orders them, render.py prints.
"""
