"""Errors of the pseudonymisation stage; none may carry a raw value or a key."""

from core.errors import YihuiError


class AnonymizerError(YihuiError):
    """Base for pseudonymisation errors."""


class KeyMissing(AnonymizerError):
    """No master key was found."""


class KeyInvalid(AnonymizerError):
    """The master key is malformed, or is not the key this data was written with."""


class LeakDetected(AnonymizerError):
    """A raw identifier was found where only tokens may be."""
