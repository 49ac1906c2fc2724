from reindent import reindent, as_code_block

src = "    def f():\n        return 1\n   \n    x = 2"
assert reindent(src, 0) == "def f():\n    return 1\n\nx = 2"
assert reindent(src, 2) == "  def f():\n      return 1\n\n  x = 2"
assert reindent("", 4) == ""
assert as_code_block("  a\n  b") == "```python\na\nb\n```"
