from datetime import datetime
from parse_log_line import parse_log_line, errors

assert parse_log_line("2024-03-01 12:00:05 [ERROR] disk full\n") == (
    datetime(2024, 3, 1, 12, 0, 5), "ERROR", "disk full")
assert parse_log_line("garbage") is None
assert parse_log_line("2023-12-31 23:59:59 [INFO] bye [now]")[2] == "bye [now]"
assert errors(["2024-01-01 00:00:00 [ERROR] a", "x", "2024-01-01 00:00:01 [WARN] b"]) == ["a"]
