"""actiontrack: a public body's action plan kept as text files in git."""

__version__ = "0.2.0"  # the one place the version is written: pyproject.toml reads it from here

#: Where the project lives: install from here with pip's git URLs when a release is not wanted.
PROJECT_URL = "https://github.com/actiontrack/actiontrack"
