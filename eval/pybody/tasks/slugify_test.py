from slugify import slugify, post_url

assert slugify("Hello, World!") == "hello-world"
assert slugify("Café au lait") == "cafe-au-lait"
assert slugify("  --Already  Sluggy-- ") == "already-sluggy"
assert slugify("x" * 100, 10) == "x" * 10
assert slugify("ab cd ef", 5) == "ab-cd"
assert post_url(2024, "What's New in 3.12?") == "/blog/2024/what-s-new-in-3-12/"
