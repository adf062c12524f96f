import sqlite3

from core.idnumbers import RESIDENT_ID, resident_id_problem
from core.schema import TABLES
from pipelines import bad_rows
from pipelines.generate import generate
from pipelines.source import Source


def _dump(path):
    con = sqlite3.connect(path)
    return {t.name: con.execute(f"SELECT * FROM {t.name} ORDER BY 1").fetchall() for t in TABLES}


def test_same_seed_gives_identical_data(tmp_path):
    a = generate(Source.parse(f"sqlite:///{tmp_path}/a.sqlite"), "tiny", 7)
    b = generate(Source.parse(f"sqlite:///{tmp_path}/b.sqlite"), "tiny", 7)
    assert a.rows == b.rows
    assert _dump(tmp_path / "a.sqlite") == _dump(tmp_path / "b.sqlite")


def test_resident_ids_are_valid_and_unique(tmp_path):
    generate(Source.parse(f"sqlite:///{tmp_path}/s.sqlite"), "tiny", 3)
    con = sqlite3.connect(tmp_path / "s.sqlite")
    rows = con.execute("SELECT id_type, id_number, sex, birthday FROM insured_persons").fetchall()
    ids = [r[1] for r in rows if r[0] == RESIDENT_ID]
    assert len(ids) == len(set(ids)) > 1000
    assert all(resident_id_problem(i) is None for i in ids)
    assert {r[0] for r in rows} - {RESIDENT_ID}, "other ID types are present"


def test_every_data_class_of_the_policy_is_generated(tmp_path):
    result = generate(Source.parse(f"sqlite:///{tmp_path}/s.sqlite"), "tiny", 3, with_bad_rows=True)
    assert all(n > 0 for n in result.rows.values()), result.rows
    assert sum(result.bad_rows.values()) == len(bad_rows.matrix())
