"""One module per auth mode, each exporting the same names (AuthSettings, SigningKeys).

app/core/auth_settings.py imports the project's mode; the other mode's module is not generated.
"""
