from format_size import format_size

assert format_size(0) == "0 B"
assert format_size(512) == "512 B"
assert format_size(1536) == "1.5 KiB"
assert format_size(5 * 1024 ** 2) == "5.0 MiB"
assert format_size(3 * 1024 ** 4) == "3.0 TiB"
assert format_size(2048 * 1024 ** 4) == "2048.0 TiB"
