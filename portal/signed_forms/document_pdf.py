"""The signed document as PDF (reportlab, pure Python): what the customer saw — introduction,
questions with their answers, privacy text, consent texts with ticked or not — the signature,
and the proof lines (form version and its SHA-256, time, device address, handed over by).
German, as the form itself; the customer file shows the PDF's own SHA-256."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.signed_forms.answers import display_value


class SignatureDrawing(Flowable):
    def __init__(self, strokes: list, width: int, height: int, box_width: float = 90 * mm):
        super().__init__()
        self.strokes, self.scale = strokes, box_width / width
        self.width, self.height = box_width, height * self.scale

    def draw(self) -> None:
        canvas = self.canv
        canvas.setLineWidth(1.2)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        for stroke in self.strokes:
            path = canvas.beginPath()
            (x0, y0), *rest = stroke
            path.moveTo(x0 * self.scale, self.height - y0 * self.scale)
            for x, y in rest:
                path.lineTo(x * self.scale, self.height - y * self.scale)
            canvas.drawPath(path, stroke=1, fill=0)
        canvas.setLineWidth(0.5)
        canvas.line(0, 0, self.width, 0)


@dataclass
class PdfInput:
    salon: str
    customer_name: str
    content: dict
    version_number: int
    version_sha256: str
    answers: dict
    consents: dict
    strokes: list
    pad_size: tuple[int, int]
    signed_at_local: str
    ip: str
    handed_over_by: str


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render(data: PdfInput) -> bytes:
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["Italic"]
    content = data.content
    story = [
        _p(f"{content['title']} · {data.salon}", styles["Title"]),
        _p(f"Kundin / Kunde: {data.customer_name}", body),
    ]
    if content.get("intro"):
        story += [_p(content["intro"], body), Spacer(1, 4 * mm)]
    rows = [
        [
            _p(field["label"] + (" *" if field.get("required") else ""), body),
            _p(display_value(field, data.answers.get(field["key"])), body),
        ]
        for field in content["fields"]
    ]
    if rows:
        table = Table(rows, colWidths=[80 * mm, 90 * mm])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [table, Spacer(1, 5 * mm)]
    story += [_p("Datenschutzhinweis", styles["Heading3"]), _p(content["privacy_text"], body)]
    if content.get("consents"):
        story.append(_p("Einwilligungen", styles["Heading3"]))
        for kind, text in content["consents"].items():
            mark = "[x] erteilt" if data.consents.get(kind) else "[ ] nicht erteilt"
            story.append(_p(f"{mark}: {text}", body))
    story += [
        Spacer(1, 6 * mm),
        _p("Unterschrift", styles["Heading3"]),
        SignatureDrawing(data.strokes, *data.pad_size),
        Spacer(1, 3 * mm),
        _p(
            f"Unterschrieben am {data.signed_at_local} auf dem Tablet des Salons (Gerät {data.ip or 'unbekannt'}), "
            f"übergeben von {data.handed_over_by}. Formular „{content['title']}“, Fassung {data.version_number}, "
            f"SHA-256 {data.version_sha256}.",
            small,
        ),
    ]
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=content["title"],
        author=data.salon,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        invariant=1,  # the same document gives the same bytes: its hash can be checked again
    ).build(story)
    return buffer.getvalue()
