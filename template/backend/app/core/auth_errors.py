"""Why a request could not be authenticated: the token's fault (401) or ours (503)."""


class TokenError(Exception):
    """The token was rejected; `reason` is a short, safe-to-log explanation (401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeysUnavailable(Exception):
    """The keys to check tokens with cannot be had right now (503, fail closed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
