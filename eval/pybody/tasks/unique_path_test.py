import tempfile
from pathlib import Path
from unique_path import unique_path, save

with tempfile.TemporaryDirectory() as tmp:
    d = Path(tmp)
    assert unique_path(d / "report.pdf") == d / "report.pdf"
    assert save(d, "report.pdf", b"1").name == "report.pdf"
    assert save(d, "report.pdf", b"2").name == "report (1).pdf"
    assert save(d, "report.pdf", b"3").name == "report (2).pdf"
    assert save(d, "notes", b"x").name == "notes"
    assert save(d, "notes", b"y").name == "notes (1)"
    assert (d / "report (1).pdf").read_bytes() == b"2"
