"""The errors services raise when a rule refuses what was asked.

Each says what went wrong in the member's terms (`message` is shown as it is) and nothing was
stored. They know nothing of HTTP: `core.http` maps each kind to a status code, in one place.
"""


class DomainError(Exception):
    """A rule refused the action; `message` says why, for the member to read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(DomainError):
    """What was asked for is malformed: too long, empty, not one of the choices."""


class NotAllowed(DomainError):
    """The rules do not let this member do it (no plan, blocked, a closed conversation)."""


class NotFound(DomainError):
    """The thing acted on does not exist, or is not the member's to see."""


class Conflict(DomainError):
    """The thing is already in the state asked for, or its state no longer allows it."""


class RateLimited(DomainError):
    """Too many attempts; `retry_after` is how many seconds to wait, when known."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """It could not be done just now; trying again may work."""
