"""The moment a campaign (or a consent request, a campaign of its own kind) starts sending."""

from __future__ import annotations

from portal.audit import Actor, record
from portal.models import Campaign
from portal.models.base import utcnow
from portal.tasks import SEND_CAMPAIGN


def hand_to_worker(actor: Actor, campaign: Campaign, recipients: int) -> None:
    """Sending starts: recorded, and the job enqueued once the transaction commits."""
    campaign.status, campaign.total, campaign.queued_at = "sending", recipients, utcnow()
    record(
        actor,
        "setting",
        "campaign_started",
        "campaign",
        campaign.id,
        {"recipients": {"old": None, "new": recipients}},
        summary=campaign.subject or campaign.kind,
    )
    SEND_CAMPAIGN.after_commit(campaign)
