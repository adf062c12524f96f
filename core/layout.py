"""Every path of the data dir and of the project, owned by one object.

Modules ask a ``Layout`` for a folder or a file instead of spelling sub-paths
(as dlt's storages own their folders), so moving a file is one edit here and a
reader sees the whole data dir at a glance.  Creating folders (and their modes)
stays with the code that writes there: a ``Layout`` only names paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Project:
    """The definitions shipped with the code: the dbt project, seeds, suites, audiences."""

    root: Path = PROJECT_DIR

    @property
    def dbt_project_file(self) -> Path:
        return self.root / "dbt_project.yml"

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    def seed(self, name: str) -> Path:
        """A reference seed CSV by name (regions, age_bands, retention_policy, ...)."""
        return self.seeds_dir / f"{name}.csv"

    @property
    def suites_dir(self) -> Path:
        """The Great Expectations suites of the landing tables."""
        return self.root / "expectations" / "suites"

    @property
    def volume_config(self) -> Path:
        return self.root / "expectations" / "volume.yml"

    @property
    def consent_rules(self) -> Path:
        """The marketing consent rules, a dbt macro file that activation renders too."""
        return self.root / "macros" / "consent_rules.sql"

    @property
    def audiences_dir(self) -> Path:
        """Audience definitions (YAML), one file per audience."""
        return self.root / "audiences" / "definitions"


PROJECT = Project()


@dataclass(frozen=True)
class Layout:
    data_dir: Path
    project: Project = PROJECT

    # --- the data dir: what a run reads and writes -----------------------------------------
    @property
    def source_sqlite(self) -> Path:
        """The default operational source (`yihui generate` writes it; `--source` overrides)."""
        return self.data_dir / "source" / "ops.sqlite"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def master_key(self) -> Path:
        """A local key file (a demo key; production keys come from YIHUI_MASTER_KEY)."""
        return self.keys_dir / "master.key"

    @property
    def vault_path(self) -> Path:
        """The encrypted vault: raw extracts, the token map, quarantine, the operational ledger."""
        return self.data_dir / "vault.duckdb"

    @property
    def tmp_dir(self) -> Path:
        """DuckDB's spill folder (encrypted spills only)."""
        return self.data_dir / "tmp"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def last_good_backup(self) -> Path:
        return self.backups_dir / "last-good.duckdb"

    @property
    def lock_file(self) -> Path:
        """One writer at a time on a data dir."""
        return self.data_dir / ".lock"

    @property
    def ledger_state(self) -> Path:
        return self.data_dir / "ledger.state"

    @property
    def warehouse_path(self) -> Path:
        """The release analysts receive: assessed marts, reference seeds, governance aggregates."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def build_dir(self) -> Path:
        """Individual-level build output (mode 0700): never published, never opened by `yihui sql`."""
        return self.data_dir / "build"

    @property
    def internal_path(self) -> Path:
        """The build database of the published release: tokens, the audience base, the gate's truth.
        Read by marketing (`yihui segment`), subject requests and the leak audit."""
        return self.build_dir / "internal.duckdb"

    @property
    def next_dir(self) -> Path:
        """Where a run builds the next release pair before the publish renames it into place."""
        return self.build_dir / "next"

    @property
    def staging_path(self) -> Path:
        """The next build database (pseudonymised sources and every dbt model outside the release)."""
        return self.next_dir / "internal.duckdb"

    @property
    def release_staging_path(self) -> Path:
        """The next release, written by dbt through the attached `release` database."""
        return self.next_dir / "release.duckdb"

    @property
    def spark_dir(self) -> Path:
        """The Spark build's warehouse folder (`yihui build --engine spark`)."""
        return self.build_dir / "spark"

    @property
    def dbt_dir(self) -> Path:
        return self.data_dir / "dbt"

    @property
    def dbt_target(self) -> Path:
        return self.dbt_dir / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.dbt_dir / "logs"

    @property
    def docs_page(self) -> Path:
        """dbt's documentation as one offline page."""
        return self.data_dir / "docs" / "index.html"

    @property
    def gx_dir(self) -> Path:
        """Great Expectations' file context."""
        return self.data_dir / "gx"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def risk_reports_dir(self) -> Path:
        return self.reports_dir / "risk"

    @property
    def quality_page(self) -> Path:
        return self.reports_dir / "quality" / "quality.html"

    @property
    def exports_dir(self) -> Path:
        """Audience member lists marketing pulled (tokens only)."""
        return self.data_dir / "exports"

    @property
    def restricted_dir(self) -> Path:
        """Files that hold contact details or answers about a person: deliveries, subject-request answers."""
        return self.data_dir / "restricted"

    @property
    def deliveries_dir(self) -> Path:
        return self.restricted_dir / "deliveries"

    @property
    def subject_answers_dir(self) -> Path:
        return self.restricted_dir / "subject-requests"

    @property
    def segment_store(self) -> Path:
        """Marketing's segment waves and their membership history."""
        return self.data_dir / "marketing" / "segments.duckdb"

    @property
    def outputs(self) -> tuple[Path, ...]:
        """Folders whose files leave the build: scanned by the leak audit."""
        return (self.exports_dir, self.dbt_dir, self.gx_dir, self.docs_page.parent, self.reports_dir)
