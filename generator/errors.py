"""The one exception type the CLI turns into a clear message and exit code 2."""


class BafaError(Exception):
    """A user-facing error: bad input or a precondition that does not hold.

    The message is one line, meant to be printed as is.
    """
