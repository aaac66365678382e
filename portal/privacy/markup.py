"""The owner's own notice passages: plain text with a tiny, safe markup.

Everything is HTML-escaped first, so no tag or script can get through; then blank lines make
paragraphs, lines starting with "- " make a list, "## " a heading and **text** bold.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

BOLD = re.compile(r"\*\*(.+?)\*\*")
MAX_LENGTH = 5000


def _inline(text: str) -> str:
    return BOLD.sub(r"<strong>\1</strong>", str(escape(text)))


def render(source: str) -> Markup:
    html = []
    for block in re.split(r"\n\s*\n", (source or "").replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:])}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        elif len(lines) == 1 and lines[0].startswith("## "):
            html.append(f"<h3>{_inline(lines[0][3:])}</h3>")
        else:
            html.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return Markup("\n".join(html))
