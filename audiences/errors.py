"""Errors of the audience stage; messages name files, lines, audiences and counts, never a person."""

from core.errors import YihuiError


class AudienceError(YihuiError):
    """Base for audience errors."""


class DefinitionError(AudienceError):
    """An audience definition is invalid (the message names the file and line)."""
