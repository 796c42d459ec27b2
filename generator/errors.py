"""The one exception type the CLI turns into a clear message and exit code 2."""


class BafaError(Exception):
    """A user-facing error: bad input or a precondition that does not hold.

    The message is one line, meant to be printed as is.
    """


def one_line(exc: BaseException, limit: int = 300) -> str:
    """Another library's error as one line for a BafaError: whitespace folded, Copier's
    "Validation error for question X: " prefix dropped (the message names the question)."""
    text = " ".join(str(exc).split())
    if text.startswith("Validation error for question "):
        text = text.split(": ", 1)[-1]
    return text[:limit] or type(exc).__name__


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (a YAML error's position, Copier's "Template uses
    potentially unsafe feature: tasks."), or its type's name."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
