"""The Jinja environment of reports: autoescaped HTML, safe Markdown for notes, relative links, charts."""

from __future__ import annotations

import functools
import posixpath
import re
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup

from ..words import number
from . import charts

_markdown = None


def markdown_html(text: str | None) -> Markup:
    """A note's Markdown as HTML. Raw HTML is escaped, images are off (no external requests), unsafe links dropped."""
    if not text:
        return Markup("")
    return Markup(_markdown_cached(text))


@functools.lru_cache(maxsize=8192)
def _markdown_cached(text: str) -> str:
    # a note appears on its action's page, its plan's page and each owner's page: render it once
    global _markdown
    if _markdown is None:
        from markdown_it import MarkdownIt

        _markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")
    return _markdown.render(text)


def md_cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: no raw HTML, no pipes, no line breaks."""
    if text is None:
        return ""
    value = str(text).replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return "<br>".join(line.strip() for line in value.splitlines() if line.strip())


def md_text(text: Any) -> str:
    """Free text for a Markdown paragraph: raw HTML tags made inert, the rest left as the author wrote it."""
    if text is None:
        return ""
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def css_string(text: Any) -> Markup:
    """Text for the inside of a double-quoted CSS string (a printed page's margin text): every character that is not
    a plain letter or digit written as a CSS escape, so nothing can end the string or the style element. Spaces are
    escaped too: CSS takes a space straight after an escape as part of it, so "a & b" would print as "a &b"."""
    value = " ".join(str(text).split()) if text is not None else ""
    escaped = "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in value)
    return Markup(escaped)


def md_line(text: Any) -> str:
    """Text for a Markdown heading or list item: one line (a line break in a title must not start a new heading,
    list or table), raw HTML tags made inert."""
    return md_text(" ".join(str(text).split())) if text is not None else ""


@pass_context
def url(context: Any, target: str) -> str:
    """`target` (relative to the site root) as a link relative to the page being rendered."""
    return _relative(target, posixpath.dirname(context["page_path"]))


@functools.lru_cache(maxsize=65536)
def _relative(target: str, here: str) -> str:
    # pages link to the same few folders thousands of times; relpath is slow enough to show in a large report
    return posixpath.relpath(target, here or ".")


def _autoescape(name: str | None) -> bool:
    return bool(name) and name.endswith((".html.j2", ".html", ".svg.j2"))  # type: ignore[union-attr]


def environment(dirs: list[Path]) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.loader_dirs = dirs  # type: ignore[attr-defined]
    env.filters.update(
        markdown=markdown_html,
        md_cell=md_cell,
        md_text=md_text,
        md_line=md_line,
        number=number,
        css_string=css_string,
        dates_kept=dates_kept,
    )
    env.globals.update(url=url, charts=charts)
    return env


_ISO_DATE = re.compile(r"\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b")


def dates_kept(text: str) -> Markup:
    """Plain text (escaped) with each YYYY-MM-DD in it kept on one line, as the `date` macro does."""
    escaped = str(Markup.escape(text))
    return Markup(_ISO_DATE.sub(lambda m: f'<span class="date">{m.group(0)}</span>', escaped))


def render_page(env: Environment, page: Any) -> str:
    template = env.get_template(page.template)
    return template.render(**page.data(), page_path=page.path)
