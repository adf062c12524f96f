"""Errors the pipeline stages raise on purpose (extract, validate, build, the lock)."""

from core.errors import YihuiError


class SourceUnavailable(YihuiError):
    """The operational source cannot be reached or read."""


class SchemaDrift(YihuiError):
    """The source no longer has a table or column the warehouse reads."""


class ValidationFailed(YihuiError):
    """A critical data-quality expectation failed: nothing was published."""


class BuildFailed(YihuiError):
    """dbt failed to build or test the marts: nothing was published."""


class LockBusy(YihuiError):
    """Another command is writing to the data dir and did not finish within the wait."""
