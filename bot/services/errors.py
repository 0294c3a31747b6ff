"""Errors a user can cause; their message is the human answer."""


class UserError(Exception):
    """Bad input from a person: the message says what is wrong, in their language."""


class NotFound(UserError):
    """An unknown task or unit; `suggestions` holds close matches."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class Forbidden(UserError):
    """The actor may not do this."""
