import tempfile
from pathlib import Path
from find_sources import find_sources

with tempfile.TemporaryDirectory() as tmp:
    root = Path(tmp)
    for name in ["a.py", "pkg/b.py", "pkg/c.txt", ".git/hooks/x.py", "pkg/__pycache__/b.py",
                 "web/app.ts", "web/node_modules/lib.ts", "deep/er/d.py"]:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("")
    (root / "dir.py").mkdir()
    assert find_sources(root) == ["a.py", "deep/er/d.py", "pkg/b.py"]
    assert find_sources(root, (".ts", ".txt")) == ["pkg/c.txt", "web/app.ts"]
