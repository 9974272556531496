"""Small text helpers for the interface."""


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``"1 row"``, ``"2,040 rows"``: a number with its noun in the right form."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"
