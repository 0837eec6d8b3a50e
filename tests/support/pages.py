"""Test documents built from the seed articles and from hostile inputs."""

from __future__ import annotations

import html
from pathlib import Path


def seed_as_html(path: Path) -> str:
    """A seed article as a web page: title, scripts, navigation, the article, a footer."""
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    body = "\n".join(f"<h1>{html.escape(line)}</h1>" if i == 0 else f"<p>{html.escape(line)}</p>"
                     for i, line in enumerate(lines))
    return (f"<html><head><title>{html.escape(lines[0])}</title><script>var tracking = 1;</script></head>"
            f"<body><nav><a href='/'>Home</a> | <a href='/about'>About us</a></nav><article>{body}</article>"
            "<footer>Cookie settings · Privacy</footer></body></html>")


def script_heavy_page(article: str) -> str:
    """A page that is mostly scripts, styles and navigation around one short article."""
    noise = "".join(f"<script>window.ads{i} = {{slot: {i}, track: function() {{ return '{i}'; }}}};</script>"
                    for i in range(200))
    menu = "".join(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(80))
    return (f"<html><head><style>body {{color: red}}</style>{noise}</head><body><nav><ul>{menu}</ul></nav>"
            f"<main><article><h1>Clinic news</h1><p>{html.escape(article)}</p></article></main>{noise}"
            "<footer>Subscribe to our newsletter</footer></body></html>")
