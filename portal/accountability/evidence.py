"""The evidence pack for an authority's inquiry: one ZIP with the record of processing and its
versions, the processor register with the agreements, the TOM list, the privacy notices of all
locations, the request statistics, the erasure certificates (request numbers, no names), the
breach register and the settings history of three years. Built by a job (progress shown, step
by step), kept for 7 days, handed to the owner who asked through a single-use link."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from zoneinfo import ZoneInfo

from portal import tokens
from portal.accountability.evidence_files import PARTS
from portal.audit import Actor, record
from portal.extensions import db
from portal.mail import external_url, queue_email
from portal.models import Account, EvidencePack, Login, StoredFile
from portal.models.base import utcnow
from portal.tasks import BUILD_EVIDENCE_PACK
from portal.tenancy import scoped
from portal.transaction import transaction
from portal.web.words import force_locale

DOWNLOAD_PURPOSE = "evidence-pack"
KEEP_DAYS = 7
README = """Nachweise zum Datenschutz — {salon}, erstellt am {when}

1-verarbeitungsverzeichnis  Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO) als PDF und
                            DOCX, dazu die Liste seiner Versionen
2-auftragsverarbeiter       Auftragsverarbeiter (Art. 28 DSGVO) mit den hinterlegten AV-Verträgen
3-tom                       Technische und organisatorische Maßnahmen (Art. 32 DSGVO)
4-datenschutzerklaerungen   Die Datenschutzerklärung jedes Standorts (Art. 13 DSGVO)
5-anfragen                  Statistik der Datenschutz-Anfragen (Art. 12 DSGVO), ohne Namen
6-loeschbestaetigungen      Löschbestätigungen; statt der Kundin bzw. des Kunden die Anfragenummer
7-datenpannen               Verzeichnis der Datenpannen (Art. 33 Abs. 5 DSGVO)
8-einstellungsverlauf       Verlauf der Einstellungen der letzten drei Jahre
"""


class EvidenceError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def recent(account_id: int) -> list[EvidencePack]:
    return db.session.scalars(scoped(EvidencePack, account_id).order_by(EvidencePack.id.desc()).limit(5)).all()


@transaction
def request_pack(actor: Actor) -> EvidencePack:
    running = db.session.scalar(
        scoped(EvidencePack, actor.account_id).where(EvidencePack.status.in_(("queued", "building")))
    )
    if running is not None:
        raise EvidenceError("running")
    pack = EvidencePack(
        account_id=actor.account_id,
        requested_by_id=actor.login_id,
        status="queued",
        steps_total=len(PARTS),
        steps_done=0,
    )
    db.session.add(pack)
    db.session.flush()
    record(actor, "setting", "evidence_pack", "evidence_pack", pack.id, summary=f"#{pack.id}")
    BUILD_EVIDENCE_PACK.after_commit(pack)
    return pack


def build(pack_id: int) -> str:
    """The job: each part one step (the progress committed), then the ZIP, the link mailed to
    the owner who asked. Run again after a crash, it starts over; once done, it does nothing."""
    pack = db.session.get(EvidencePack, pack_id)
    if pack is None or pack.status not in ("queued", "building"):
        return "nothing-to-do"
    account = db.session.get(Account, pack.account_id)
    requester = db.session.get(Login, pack.requested_by_id)
    pack.status, pack.steps_done = "building", 0
    db.session.commit()
    files: dict[str, bytes] = {}
    with force_locale("de"):
        for part in PARTS:
            files.update(part(account))
            pack.steps_done += 1
            db.session.commit()
        stamp = utcnow()
        local = stamp.astimezone(ZoneInfo(account.timezone))
        readme = README.format(salon=account.name, when=local.strftime("%d.%m.%Y, %H:%M"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LIESMICH.txt", readme)
        for name, content in files.items():
            archive.writestr(name, content)
    stored = StoredFile(
        account_id=account.id,
        kind="evidence_pack",
        filename=f"Datenschutz-Nachweise-{stamp.strftime('%Y-%m-%d')}.zip",
        mimetype="application/zip",
        content=buffer.getvalue(),
        expires_at=stamp + timedelta(days=KEEP_DAYS),
    )
    db.session.add(stored)
    db.session.flush()
    token = tokens.issue(
        account.id, DOWNLOAD_PURPOSE, {"file_id": stored.id, "login_id": requester.id}, hours=24 * KEEP_DAYS
    )
    queue_email(
        account.id,
        requester.email,
        "evidence_pack_ready",
        {"link": external_url("evidence.download", token=tokens.link_value(token)), "days": KEEP_DAYS},
        locale=requester.locale,
        login_id=requester.id,
    )
    pack.status, pack.file_id, pack.finished_at = "done", stored.id, utcnow()
    db.session.commit()
    return "done"
