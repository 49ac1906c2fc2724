"""User accounts of the forum."""

import re
from dataclasses import dataclass

USERNAME = re.compile(r"^[a-z][a-z0-9_]{2,15}$")


@dataclass
class User:
    username: str
    email: str
    age: int | None = None

    def __post_init__(self):
        """Lowercase and strip username and email, then validate: the username must match
        USERNAME, the email must contain "@", the age (if given) must be 0-150. Raise
        ValueError otherwise."""
        self.username = self.username.strip().lower()
        self.email = self.email.strip().lower()
        # <<<
        if not USERNAME.match(self.username):
            raise ValueError(f"invalid username: {self.username!r}")
        if "@" not in self.email:
            raise ValueError(f"invalid email: {self.email!r}")
        # >>>
        if self.age is not None and not 0 <= self.age <= 150:
            raise ValueError(f"invalid age: {self.age}")

    @property
    def display_name(self) -> str:
        return self.username.replace("_", " ").title()
