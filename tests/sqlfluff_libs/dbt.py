"""Lint-time stand-in for dbt's cross-database macros (`{{ dbt.datediff(...) }}`).

sqlfluff's jinja templater has no dbt adapter; it gets the DuckDB rendering.
"""


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def type_string() -> str:
    return "varchar"
