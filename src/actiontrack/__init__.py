"""actiontrack: a public body's action plan kept as text files in git."""

__version__ = "0.1.0"
