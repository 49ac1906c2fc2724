from tree import Node, render

root = Node("notes")
work = root.add("work")
work.add("meetings").add("2024")
root.add("home")
assert render(root) == "notes\n  work\n    meetings\n      2024\n  home"
assert [d for d, _ in root.walk()] == [0, 1, 2, 3, 1]
assert root.find("2024").name == "2024"
assert root.find("nope") is None
assert list(Node("leaf").walk(5))[0][0] == 5
