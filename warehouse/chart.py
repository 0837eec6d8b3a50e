"""The card's chart: support of each therapy across attributes, as a self-contained SVG heatmap."""

from __future__ import annotations

from html import escape

import polars as pl

from transforms.ontology import Ontology
from warehouse.card import GLANCE_ATTRIBUTES, GLANCE_SUBJECTS

_CELL_W, _CELL_H, _LEFT, _TOP = 78, 34, 190, 120


def support_grid(matrix: pl.DataFrame) -> pl.DataFrame:
    """subject x attribute -> documents asserting any value (the cell's support)."""
    return (
        matrix.filter(pl.col("n_documents") > 0)
        .group_by("subject", "attribute")
        .agg(pl.col("n_documents").max().alias("documents"), pl.len().alias("values"))
    )


def render_support_svg(matrix: pl.DataFrame, ontology: Ontology, version: str) -> str:
    grid = {(r["subject"], r["attribute"]): r for r in support_grid(matrix).iter_rows(named=True)}
    top = max([r["documents"] for r in grid.values()] or [1])
    width = _LEFT + _CELL_W * len(GLANCE_ATTRIBUTES) + 80
    height = _TOP + _CELL_H * len(GLANCE_SUBJECTS) + 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="10" y="22" font-size="16" font-weight="bold">Support per therapy and attribute '
             f'(documents), version {escape(version)}</text>']
    for j, attribute in enumerate(GLANCE_ATTRIBUTES):
        x = _LEFT + j * _CELL_W + _CELL_W / 2
        label = escape(ontology.attributes[attribute].get("label", attribute))
        parts.append(f'<text x="{x}" y="{_TOP - 8}" transform="rotate(-40 {x} {_TOP - 8})">{label}</text>')
    for i, subject in enumerate(GLANCE_SUBJECTS):
        y = _TOP + i * _CELL_H
        parts.append(f'<text x="{_LEFT - 8}" y="{y + _CELL_H / 2 + 4}" text-anchor="end">'
                     f'{escape(ontology.subjects[subject].get("label", subject))}</text>')
        for j, attribute in enumerate(GLANCE_ATTRIBUTES):
            x = _LEFT + j * _CELL_W
            cell = grid.get((subject, attribute))
            share = (cell["documents"] / top) if cell else 0.0
            shade = int(245 - 180 * share)
            fill = f"rgb({shade},{shade + 5 if shade < 250 else 250},255)" if cell else "#f4f4f4"
            parts.append(f'<rect x="{x}" y="{y}" width="{_CELL_W - 2}" height="{_CELL_H - 2}" fill="{fill}"/>')
            text = f"{cell['documents']} · {cell['values']}v" if cell else "–"
            color = "white" if share > 0.6 else "#222"
            parts.append(f'<text x="{x + _CELL_W / 2 - 1}" y="{y + _CELL_H / 2 + 4}" text-anchor="middle" '
                         f'fill="{color}">{text}</text>')
    parts.append(f'<text x="10" y="{height - 20}" fill="#555">Cell: documents asserting a value · number of '
                 f'distinct values asserted. Darker: more support. "–": no claim.</text>')
    parts.append("</svg>")
    return "\n".join(parts)
