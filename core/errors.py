"""The base of every error a user can act on, and the errors every stage can raise.

The CLI turns any ``YihuiError`` into one red line and exit code 1; anything
else is a bug and keeps its traceback.  Messages must never carry personal data
or key material: they name tables, columns, counts and files, not values.
Each package's own ``errors.py`` derives from ``YihuiError``.
"""


class YihuiError(Exception):
    """Base for errors a user can act on."""


class ConfigError(YihuiError):
    """A setting is missing or invalid."""


class DiskFull(YihuiError):
    """A write failed for lack of space: what was being written is incomplete, nothing was published."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: unwind (closing the vault, ending dbt) and exit 128 + the signal.

    A ``KeyboardInterrupt``, not a ``YihuiError``: ``except Exception`` anywhere in
    the pipeline must not swallow it, and ``subprocess`` ends its child on it.
    """

    def __init__(self, signum: int) -> None:
        import signal

        super().__init__(signal.Signals(signum).name)
        self.signum = signum
