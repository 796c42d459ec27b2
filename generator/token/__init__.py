"""`bafa token`: explain a Better Auth JWT against a project's backend settings, or mint one.

parse.py decodes without trusting, policy.py reads what the backend accepts, diagnose.py
lists every reason for a 401, mint.py signs test tokens, render.py and timefmt.py print.
"""
