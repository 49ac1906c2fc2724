"""The folder tree of the notes app's sidebar."""

from dataclasses import dataclass, field


@dataclass
class Node:
    name: str
    children: list["Node"] = field(default_factory=list)

    def add(self, name: str) -> "Node":
        child = Node(name)
        self.children.append(child)
        return child

    def walk(self, depth: int = 0):
        """Yield (depth, node) for this node and all its descendants, depth-first, parents
        before their children."""
        # <<<
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)
        # >>>

    def find(self, name: str) -> "Node | None":
        return next((n for _, n in self.walk() if n.name == name), None)


def render(root: Node) -> str:
    return "\n".join("  " * d + n.name for d, n in root.walk())
