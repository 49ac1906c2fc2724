from truncate import truncate, preview

assert truncate("short", 10) == "short"
assert truncate("the quick brown fox jumps", 12) == "the quick…"
assert truncate("abcdefghijklmnop", 8) == "abcdefg…"
assert truncate("alpha beta gamma", 12, "...") == "alpha..."
assert len(preview("word " * 20)) <= 40
