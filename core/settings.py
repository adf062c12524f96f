"""Settings declared as data: name, default, help, in one place.

Resolution order: command-line flag → environment variable (``YIHUI_<NAME>``)
→ ``yihui.toml`` in the working directory (a ``[yihui]`` table) → default.
The CLI builds its shared options from ``SETTINGS``, and a test checks that
every setting is documented in the README.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from core.layout import PROJECT_DIR, Layout, Project


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    type: type = str

    @property
    def env(self) -> str:
        return f"YIHUI_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "data", "Folder for the vault, the warehouse, keys, exports and run files."),
    Setting("source", None, "Operational source URL (sqlite:///FILE or postgresql://…); "
            "default sqlite:///<data_dir>/source/ops.sqlite."),
    Setting("as_of", None, "Reference date (YYYY-MM-DD) for ages, consent validity and recency; "
            "default the date of the latest activity in the source, so a run over a snapshot is reproducible."),
    Setting("threads", 2, "DuckDB worker threads.", int),
    # On city a 4GB limit left pseudonymise at 6.9 GB RSS and was no faster (75 s vs 67 s).  Our connections
    # share the process with GX's frames and Arrow buffers: at 2GB its peak was 3.07 GB, at 1536MB 2.86 GB.
    # dbt's process holds little besides DuckDB (2.3 GB at 2GB), and its models ran slower at 1536MB.
    Setting("memory_limit", "1536MB", "DuckDB memory limit of each of our connections, before it spills to disk."),
    Setting("dbt_memory_limit", "2GB", "DuckDB memory limit of dbt's connection (dbt runs in a process of its own)."),
    Setting("project_dir", str(PROJECT_DIR), "The dbt project (where dbt_project.yml is)."),
    Setting("lock_wait", 30.0, "Seconds a writing command waits for another to finish with the data dir "
            "before it gives up.", float),
    Setting("spark_dbt", str(PROJECT_DIR / ".venv-spark" / "bin" / "dbt"),
            "dbt with dbt-spark and PySpark, in their own virtualenv (`make spark`), for `yihui build --engine spark`."),
)
BY_NAME = {s.name: s for s in SETTINGS}


def _config_file() -> dict[str, Any]:
    path = Path("yihui.toml")
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh).get("yihui", {})


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    source: str
    as_of: date | None
    threads: int
    memory_limit: str
    project_dir: Path
    dbt_memory_limit: str = "2GB"
    spark_dbt: Path = PROJECT_DIR / ".venv-spark" / "bin" / "dbt"
    lock_wait: float = 30.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        """The data dir's paths, and the project's (``project_dir``)."""
        return Layout(self.data_dir, Project(self.project_dir))


def resolve(**flags: Any) -> Settings:
    """Merge flags (None = not given) with environment, config file and defaults."""
    config = _config_file()
    values: dict[str, Any] = {}
    for s in SETTINGS:
        value = flags.get(s.name)
        if value is None:
            value = os.environ.get(s.env)
        if value is None:
            value = config.get(s.name)
        if value is None:
            value = s.default
        if value is not None and s.type in (int, float):
            try:
                value = s.type(value)
            except ValueError:
                kind = "a whole number" if s.type is int else "a number"
                raise ConfigError(f"{s.name} must be {kind}, got {value!r}") from None
        values[s.name] = value
    data_dir = Path(values["data_dir"]).resolve()
    source = values["source"] or f"sqlite:///{Layout(data_dir).source_sqlite}"
    as_of = None
    if values["as_of"]:
        try:
            as_of = date.fromisoformat(str(values["as_of"]))
        except ValueError:
            raise ConfigError(f"as_of must be a date YYYY-MM-DD, got {values['as_of']!r}") from None
    return Settings(
        data_dir=data_dir,
        source=source,
        as_of=as_of,
        threads=values["threads"],
        memory_limit=values["memory_limit"],
        dbt_memory_limit=values["dbt_memory_limit"],
        project_dir=Path(values["project_dir"]).resolve(),
        spark_dbt=Path(values["spark_dbt"]),
        lock_wait=values["lock_wait"],
    )


def usable_cpus() -> int:
    """The cores this process may run on: how many threads the native hasher and how many worker
    processes the redactor use (DuckDB's own threads are the ``threads`` setting)."""
    return len(os.sched_getaffinity(0))
