import tempfile
from datetime import datetime
from pathlib import Path
from rotate_backups import rotate_backups, backup_name

with tempfile.TemporaryDirectory() as tmp:
    d = Path(tmp)
    names = [backup_name("db-", datetime(2024, 1, day)) for day in (3, 1, 2, 5, 4)]
    for n in names:
        (d / n).write_text("x")
    (d / "other-20240101-000000.bak").write_text("keep me")
    assert rotate_backups(d, "db-", 2) == [backup_name("db-", datetime(2024, 1, day)) for day in (1, 2, 3)]
    assert sorted(p.name for p in d.iterdir()) == sorted(
        [backup_name("db-", datetime(2024, 1, 4)), backup_name("db-", datetime(2024, 1, 5)), "other-20240101-000000.bak"])
    assert rotate_backups(d, "db-", 5) == []
    assert len(rotate_backups(d, "db-", 0)) == 2
    assert [p.name for p in d.iterdir()] == ["other-20240101-000000.bak"]
