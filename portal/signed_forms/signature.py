"""The finger signature: the strokes the pad sends, checked, and drawn again as SVG here (the
browser's own SVG is never stored: a document must not carry script). Strokes are
[[[x, y], ...], ...] in the pad's CSS pixels, the pad's size beside them."""

from __future__ import annotations

import base64
import json
import math

MAX_PAYLOAD = 200_000  # characters of JSON; a real signature is 5–30 kB
MAX_POINTS = 6_000
MAX_STROKES = 60
MIN_POINTS = 8
MIN_LENGTH = 80.0  # pixels of ink, so a dot or a tap is no signature
MIN_EXTENT = 40.0  # the signature spans at least this width or height


class SignatureError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse(raw: str, width: int, height: int) -> list[list[tuple[float, float]]]:
    """The strokes, or SignatureError("empty" | "too-short" | "too-large" | "malformed")."""
    if not raw or raw.strip() in ("", "[]"):
        raise SignatureError("empty")
    if len(raw) > MAX_PAYLOAD:
        raise SignatureError("too-large")
    if not (50 <= width <= 4000 and 50 <= height <= 4000):
        raise SignatureError("malformed")
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise SignatureError("malformed") from error
    if not isinstance(data, list) or len(data) > MAX_STROKES:
        raise SignatureError("too-large" if isinstance(data, list) else "malformed")
    strokes, total = [], 0
    for stroke in data:
        if not isinstance(stroke, list):
            raise SignatureError("malformed")
        points = []
        for point in stroke:
            if not (isinstance(point, list) and len(point) == 2 and all(isinstance(v, int | float) for v in point)):
                raise SignatureError("malformed")
            x, y = float(point[0]), float(point[1])
            if not (math.isfinite(x) and math.isfinite(y)):
                raise SignatureError("malformed")
            points.append((min(max(x, 0.0), width), min(max(y, 0.0), height)))
        total += len(points)
        if total > MAX_POINTS:
            raise SignatureError("too-large")
        if points:
            strokes.append(points)
    if total < MIN_POINTS:
        raise SignatureError("too-short" if total else "empty")
    length = sum(math.dist(a, b) for stroke in strokes for a, b in zip(stroke, stroke[1:], strict=False))
    xs = [x for stroke in strokes for x, _y in stroke]
    ys = [y for stroke in strokes for _x, y in stroke]
    if length < MIN_LENGTH or max(max(xs) - min(xs), max(ys) - min(ys)) < MIN_EXTENT:
        raise SignatureError("too-short")
    return strokes


def to_svg(strokes: list[list[tuple[float, float]]], width: int, height: int) -> str:
    paths = []
    for stroke in strokes:
        head, *rest = stroke
        d = f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f" L{x:.1f} {y:.1f}" for x, y in rest)
        if not rest:
            d += f" L{head[0] + 0.1:.1f} {head[1]:.1f}"
        paths.append(f'<path d="{d}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        '<g fill="none" stroke="#111" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round">'
        + "".join(paths)
        + "</g></svg>"
    )


def as_lists(strokes: list[list[tuple[float, float]]]) -> list[list[list[float]]]:
    return [[[round(x, 1), round(y, 1)] for x, y in stroke] for stroke in strokes]


def signature_data_uri(document) -> str:
    """The stored SVG as an image source (the page's CSP allows data: images, no script runs)."""
    return "data:image/svg+xml;base64," + base64.b64encode(document.signature_svg.encode()).decode()
