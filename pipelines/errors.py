"""Errors the pipeline raises on purpose.

The CLI turns any ``YihuiError`` into one red line and exit code 1; anything
else is a bug and keeps its traceback.  Messages must never carry personal data
or key material: they name tables, columns, counts and files, not values.
"""


class YihuiError(Exception):
    """Base for errors a user can act on."""


class ConfigError(YihuiError):
    """A setting is missing or invalid."""


class SourceUnavailable(YihuiError):
    """The operational source cannot be reached or read."""


class SchemaDrift(YihuiError):
    """The source no longer has a table or column the warehouse reads."""


class ValidationFailed(YihuiError):
    """A critical data-quality expectation failed: nothing was published."""


class BuildFailed(YihuiError):
    """dbt failed to build or test the marts: nothing was published."""


class DiskFull(YihuiError):
    """A write failed for lack of space: what was being written is incomplete, nothing was published."""


class VaultError(YihuiError):
    """The encrypted vault cannot be opened (missing or wrong key, damaged file)."""


class LockBusy(YihuiError):
    """Another command is writing to the data dir and did not finish within the wait."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: unwind (closing the vault, ending dbt) and exit 128 + the signal.

    A ``KeyboardInterrupt``, not a ``YihuiError``: ``except Exception`` anywhere in
    the pipeline must not swallow it, and ``subprocess`` ends its child on it.
    """

    def __init__(self, signum: int) -> None:
        import signal

        super().__init__(signal.Signals(signum).name)
        self.signum = signum
