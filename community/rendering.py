"""User text → safe HTML: Markdown by markdown-it-py, then a strict nh3 allow-list.

One module for forum posts and chat messages alike. Raw HTML in the source is not
interpreted (markdown-it's `html` option is off) and nh3 removes anything that
could still execute: scripts, styles, event handlers, `javascript:`/`data:` URLs.
Block elements get `dir="auto"` so Arabic paragraphs lay out right to left next to
French and English ones.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

BLOCK_TAGS = {"p", "blockquote", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th"}
ALLOWED_TAGS = BLOCK_TAGS | {
    "a",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "ul",
    "ol",
    "table",
    "thead",
    "tbody",
    "tr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
    **{tag: {"dir"} for tag in BLOCK_TAGS},
}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
        ["table", "strikethrough"]
    )


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        set_tag_attribute_values={tag: {"dir": "auto"} for tag in BLOCK_TAGS},
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Render user Markdown to sanitized HTML."""
    return sanitize_html(_markdown().render(source))
