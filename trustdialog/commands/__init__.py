"""The sub-commands, one module per area; each `register`s its parsers."""


class CommandError(Exception):
    """A failure the user can act on: printed as one line, never a traceback."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
