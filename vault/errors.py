"""Errors of the encrypted vault: it cannot be opened, it is damaged, its ledger is behind."""

from core.errors import YihuiError


class VaultError(YihuiError):
    """The encrypted vault cannot be opened (missing or wrong key, damaged file)."""
