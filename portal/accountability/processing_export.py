"""The record of processing as files for the authority or the auditor: PDF (reportlab) and DOCX
(python-docx; opens in Word and LibreOffice), in the language in force, with the version's
number and date.

reportlab and python-docx are imported by the function that uses them: every web and worker
process imports this module, few ever write a file (`portal.lazy_imports`)."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from flask_babel import gettext as _

from portal.accountability.processing import describe
from portal.models import RecordVersion
from portal.web.templating import format_moment


def title_of(version: RecordVersion, salon: str) -> tuple[str, str]:
    return (
        _("Record of processing activities (Art. 30(1) GDPR)"),
        _(
            "%(salon)s · version %(number)d of %(when)s",
            salon=salon,
            number=version.number,
            when=format_moment(version.created_at),
        ),
    )


def to_pdf(version: RecordVersion, salon: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    header, activities = describe(version.content)
    title, subtitle = title_of(version, salon)
    styles = getSampleStyleSheet()
    buffer = BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=title)

    def text(value: str, style: str = "Normal") -> Paragraph:
        return Paragraph(escape(value).replace("\n", "<br/>"), styles[style])

    def table(rows: list[tuple[str, str]]) -> Table:
        grid = Table([[text(label, "Normal"), text(value)] for label, value in rows], colWidths=[45 * mm, None])
        grid.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#cccccc")])
        )
        return grid

    story = [text(title, "Title"), text(subtitle), Spacer(1, 4 * mm), table(header)]
    for activity in activities:
        story += [Spacer(1, 6 * mm), text(activity.name, "Heading2"), table(activity.rows)]
        if activity.note:
            story.append(text(_("Note: %(note)s", note=activity.note), "Italic"))
    document.build(story)
    return buffer.getvalue()


def to_docx(version: RecordVersion, salon: str) -> bytes:
    from docx import Document

    header, activities = describe(version.content)
    title, subtitle = title_of(version, salon)
    document = Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    document.add_paragraph(subtitle)

    def table(rows: list[tuple[str, str]]) -> None:
        grid = document.add_table(rows=0, cols=2)
        grid.style = "Table Grid"
        for label, value in rows:
            cells = grid.add_row().cells
            cells[0].text, cells[1].text = label, value

    table(header)
    for activity in activities:
        document.add_heading(activity.name, level=1)
        table(activity.rows)
        if activity.note:
            document.add_paragraph(_("Note: %(note)s", note=activity.note))
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
