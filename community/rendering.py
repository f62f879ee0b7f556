"""User text → safe HTML: Markdown by markdown-it-py, then a strict nh3 allow-list.

One module for forum posts and chat messages alike. Raw HTML in the source is not
interpreted (markdown-it's `html` option is off) and nh3 removes anything that
could still execute: scripts, styles, event handlers, `javascript:`/`data:` URLs.
Block elements get `dir="auto"` so Arabic paragraphs lay out right to left next to
French and English ones. `@username` mentions can be linked by the caller, who
decides which usernames are real (members of the same network) and where they link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

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


# `@name` where name is a Django username (letters, digits, . + - _) not ending in
# punctuation, and not preceded by a word character (so e-mail addresses are not mentions).
MENTION = re.compile(r"(?<![\w@.+-])@(\w(?:[\w.+-]*[\w+-])?)")


def rename_mentions(text: str, username: str, new: str) -> str:
    """`text` with every @mention of `username` (in any case, as the renderer reads
    mentions) naming `new` instead: others' words about an account that was deleted."""
    wanted = username.lower()
    return MENTION.sub(lambda m: f"@{new}" if m.group(1).lower() == wanted else m.group(0), text)


# Given the lower-cased usernames written as @mentions, return those that are real,
# each with the URL its mention links to.
MentionResolver = Callable[[Collection[str]], Mapping[str, str]]


def _mention_texts(tokens: list[Token]) -> list[Token]:
    """Inline text tokens outside links: where a mention may stand (not in code)."""
    texts = []
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            elif token.type == "text" and depth == 0 and "@" in token.content:
                texts.append(token)
    return texts


def _link_mentions(text: Token, links: Mapping[str, str]) -> list[Token]:
    """Split a text token into text and link tokens for the resolved mentions."""
    out: list[Token] = []
    position = 0
    for match in MENTION.finditer(text.content):
        href = links.get(match.group(1).lower())
        if href is None:
            continue
        if match.start() > position:
            out.append(Token("text", "", 0, content=text.content[position : match.start()]))
        out.append(Token("link_open", "a", 1, attrs={"href": href}))
        out.append(Token("text", "", 0, content=match.group(0)))
        out.append(Token("link_close", "a", -1))
        position = match.end()
    if position < len(text.content):
        out.append(Token("text", "", 0, content=text.content[position:]))
    return out


def render_markdown(source: str, mentions: MentionResolver | None = None) -> str:
    """Render user Markdown to sanitized HTML, linking the @mentions `mentions` resolves."""
    md = _markdown()
    if mentions is None or "@" not in source:
        return sanitize_html(md.render(source))
    env: dict[str, object] = {}
    tokens = md.parse(source, env)
    texts = _mention_texts(tokens)
    names = {m.group(1).lower() for t in texts for m in MENTION.finditer(t.content)}
    links = mentions(names) if names else {}
    if links:
        replaced = {id(t): _link_mentions(t, links) for t in texts}
        for block in tokens:
            if block.type == "inline" and block.children:
                block.children = [
                    piece for t in block.children for piece in replaced.get(id(t), [t])
                ]
    return sanitize_html(md.renderer.render(tokens, md.options, env))
