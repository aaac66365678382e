"""The notification of a breach to the competent supervisory authority (Art. 33(3) GDPR), in
German for a German authority: to copy into the authority's online form or to send as PDF. It
is generated from the breach, the salon's privacy settings (controller, data protection officer)
and the authority of the salon's state (`portal/privacy/authorities.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from flask_babel import gettext as _

from portal.accountability.breaches import deadline, notified_late
from portal.extensions import db
from portal.models import Account, Breach
from portal.models.base import utcnow
from portal.privacy.authorities import BY_CODE, Authority
from portal.privacy.settings_service import settings_for
from portal.web.templating import format_moment_in_zone
from portal.web.words import force_locale


@dataclass
class Report:
    authority: Authority | None
    title: str
    sections: list[tuple[str, str]]  # (heading, text)

    def as_text(self) -> str:
        head = [self.title]
        if self.authority:
            head.append(f"{self.authority.name}\n{self.authority.address}\n{self.authority.website}")
        return "\n\n".join(head + [f"{heading}\n{text}" for heading, text in self.sections]) + "\n"


def _when(account: Account, moment) -> str:
    return format_moment_in_zone(moment, account.timezone)


def authority_report(breach: Breach) -> Report:
    account = db.session.get(Account, breach.account_id)
    location = account.main_location
    settings = settings_for(location)
    authority = BY_CODE.get(settings.authority_code) or BY_CODE.get(location.state)
    with force_locale("de"):
        controller = "\n".join(
            part
            for part in (
                settings.controller_name or account.name,
                settings.controller_street,
                f"{settings.controller_postal_code} {settings.controller_city}".strip(),
                settings.controller_email,
                settings.controller_phone,
            )
            if part
        )
        if settings.dpo_name:
            dpo = "\n".join(p for p in (settings.dpo_name, settings.dpo_email, settings.dpo_phone) if p)
        else:
            dpo = _("No data protection officer is designated (§ 38 BDSG); contact: the controller.")
        times = [
            _("Breach occurred: %(when)s", when=_when(account, breach.occurred_at)),
            _("Became aware: %(when)s", when=_when(account, breach.aware_at)),
            _("Notified: %(when)s", when=_when(account, breach.notified_at or utcnow())),
        ]
        sections = [
            (_("Controller"), controller),
            (_("Data protection officer (Art. 33(3)(b) GDPR)"), dpo),
            (_("Times"), "\n".join(times)),
            (
                _("Nature of the breach (Art. 33(3)(a) GDPR)"),
                "\n".join(
                    [
                        breach.description,
                        _("Categories of personal data: %(text)s", text=breach.data_categories),
                        _("Approximate number of people affected: %(num)d", num=breach.people_affected),
                    ]
                    + (
                        [_("Approximate number of records affected: %(num)d", num=breach.records_affected)]
                        if breach.records_affected is not None
                        else []
                    )
                ),
            ),
            (_("Likely consequences (Art. 33(3)(c) GDPR)"), breach.consequences or _("Not yet known.")),
            (_("Measures taken or proposed (Art. 33(3)(d) GDPR)"), breach.measures or _("Not yet known.")),
        ]
        if notified_late(breach) or (breach.notified_at is None and utcnow() > deadline(breach)):
            sections.append(
                (_("Reasons for the delay (Art. 33(1) GDPR)"), breach.late_reason or _("(please state the reasons)"))
            )
        if breach.inform_people:
            decision = (
                _("The people affected are informed (Art. 34 GDPR).")
                if breach.inform_people == "yes"
                else _("The people affected are not informed (Art. 34 GDPR).")
            )
            sections.append((_("Information of the people affected"), f"{decision}\n{breach.inform_reasoning}"))
        title = _("Notification of a personal data breach (Art. 33 GDPR)")
    return Report(authority, title, sections)


def report_pdf(report: Report) -> bytes:
    """The same text as a PDF (reportlab: pure Python, from the registry; imported here, when a
    PDF is asked for: `portal.lazy_imports`)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, title=report.title
    )

    def paragraph(text: str, style: str):
        return Paragraph(escape(text).replace("\n", "<br/>"), styles[style])

    story = [paragraph(report.title, "Title")]
    if report.authority:
        story.append(
            paragraph(f"{report.authority.name}\n{report.authority.address}\n{report.authority.website}", "Normal")
        )
    for heading, text in report.sections:
        story += [Spacer(1, 4 * mm), paragraph(heading, "Heading3"), paragraph(text, "Normal")]
    document.build(story)
    return buffer.getvalue()
