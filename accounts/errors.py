class ServiceError(Exception):
    """A rule refused the write. `message` is shown to the member as it is; nothing was stored."""

    status_code = 400

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
