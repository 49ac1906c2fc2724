from logical_lines import logical_lines

src = ["run a \\\n", "  --flag\n", "echo hi\n", "x\\\n", "y\\\n", "z\n", "end \\"]
assert list(logical_lines(src)) == ["run a   --flag", "echo hi", "xyz", "end "]
assert list(logical_lines([])) == []
assert list(logical_lines(["\n", "a"])) == ["", "a"]
