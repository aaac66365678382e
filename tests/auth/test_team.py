"""Owners manage logins (invite by email link, role, grants, deactivate) and employees (PIN)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from portal.audit import Actor
from portal.auth.permissions import GRANTABLE, Permission, Role, has_permission
from portal.auth.service import invite_login
from portal.extensions import db
from portal.models import EmailToken, Employee, Login, OutboundEmail
from tests import factories
from tests.conftest import run_worker_burst


def test_invite_is_mailed_by_the_worker_and_the_link_sets_a_password(app, salon, login_as, mails, worker_env):
    owner = login_as(salon.owner)
    response = owner.post(
        "/settings/team/logins/invite",
        data={"email": "New.Stylist@Example.com", "name": "Nora", "role": "staff", "locale": "de"},
    )
    assert response.status_code == 302
    invited = db.session.scalars(select(Login).where(Login.email == "new.stylist@example.com")).one()
    assert invited.password_hash is None

    result = run_worker_burst(worker_env, "emails")
    assert result.returncode == 0, result.stderr
    (mail,) = mails()
    assert mail.to == "new.stylist@example.com"
    assert "Salon A" in mail.subject
    link = next(link for link in mail.links if "/invite/" in link)
    path = link.split("://", 1)[1].split("/", 1)[1]
    db.session.expire_all()
    sent = db.session.scalars(select(OutboundEmail)).one()
    assert sent.status == "sent" and sent.body_text == ""  # the link is not kept once delivered

    visitor = app.test_client()
    # GET (a mail scanner's prefetch) burns nothing.
    assert visitor.get(f"/{path}").status_code == 200
    assert visitor.get(f"/{path}").status_code == 200
    response = visitor.post(f"/{path}", data={"password": "short", "password_repeat": "short"})
    assert response.status_code == 422
    response = visitor.post(
        f"/{path}", data={"password": "stylist-password-1", "password_repeat": "stylist-password-1"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert check_password_hash(db.session.get(Login, invited.id).password_hash, "stylist-password-1")
    # Single use: the second POST is refused and changes nothing.
    response = visitor.post(f"/{path}", data={"password": "attacker-password", "password_repeat": "attacker-password"})
    assert response.status_code == 410
    db.session.expire_all()
    assert check_password_hash(db.session.get(Login, invited.id).password_hash, "stylist-password-1")


def test_expired_or_forged_invite_link_is_refused(app, salon, login_as):
    from datetime import timedelta

    from portal import tokens
    from portal.models.base import utcnow

    token = tokens.issue(salon.account.id, "login-invite", {"login_id": salon.staff.id})
    value = tokens.link_value(token)
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    visitor = app.test_client()
    assert visitor.get(f"/invite/{value}").status_code == 410
    assert visitor.get(f"/invite/{value[:-2]}xx").status_code == 410
    assert visitor.post(f"/invite/{value}", data={"password": "x" * 12, "password_repeat": "x" * 12}).status_code == 410


def test_invite_with_taken_or_bad_email_changes_nothing(salon, login_as):
    owner = login_as(salon.owner)
    count = db.session.scalar(select(func.count()).select_from(Login))
    for email in (salon.staff.email, "not-an-email", ""):
        response = owner.post(
            "/settings/team/logins/invite",
            data={"email": email, "role": "staff", "locale": "de"},
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Login)) == count
    assert db.session.scalar(select(func.count()).select_from(EmailToken)) == 0


def test_owner_grants_export_to_an_admin(salon, login_as):
    owner = login_as(salon.owner)
    assert not has_permission(salon.admin, Permission.CUSTOMER_EXPORT)
    response = owner.post(
        f"/settings/team/logins/{salon.admin.id}",
        data={"role": "admin", "active": "y", "grants": ["customer.export", "bogus"]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    admin = db.session.get(Login, salon.admin.id)
    assert admin.extra_permissions == ["customer.export"]
    assert has_permission(admin, Permission.CUSTOMER_EXPORT)


def test_the_last_owner_cannot_be_demoted(salon, login_as):
    owner = login_as(salon.owner)
    owner.post(f"/settings/team/logins/{salon.owner.id}", data={"role": "admin", "active": "y"})
    db.session.expire_all()
    assert db.session.get(Login, salon.owner.id).role == "owner"


def test_employee_pin_is_hashed_and_validated(salon, login_as):
    owner = login_as(salon.owner)
    for bad in ("12", "abcd", "1234567"):
        response = owner.post(
            "/settings/team/employees",
            data={"name": "Pia", "pin": bad, "location_id": "0"},
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 422
        assert "The PIN must have 4 to 6 digits." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Employee)) == 1
    response = owner.post("/settings/team/employees", data={"name": "Pia", "pin": "4711", "location_id": "0"})
    assert response.status_code == 302
    pia = db.session.scalars(select(Employee).where(Employee.name == "Pia")).one()
    assert pia.pin_hash != "4711" and check_password_hash(pia.pin_hash, "4711")
    response = owner.post(f"/settings/team/employees/{pia.id}", data={"name": "Pia K.", "pin": "", "location_id": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    pia = db.session.get(Employee, pia.id)
    assert pia.name == "Pia K." and check_password_hash(pia.pin_hash, "4711") and not pia.active


def test_admin_without_team_grant_cannot_manage_team(salon, login_as):
    assert login_as(salon.admin).get("/settings/team/").status_code == 403


def test_safe_defaults_invite_as_staff_no_self_demotion_grants_by_role(salon, login_as):
    # A second owner, invited through the team service: the last-owner rule is not what stops it.
    invite_login(Actor(salon.account.id, salon.owner.id), "zweite@salon-a.test", "Zweite", "owner", "de", salon.owner)
    db.session.commit()
    owner = login_as(salon.owner)
    page = owner.get("/settings/team/").get_data(as_text=True)
    # The invitation proposes the least rights; extra rights are offered to administrators, and
    # to staff only the health data (therapists who treat need the allergies); owners and the
    # accountant get none.
    assert '<option selected value="staff">' in page
    assert page.count('name="grants"') == len(GRANTABLE[Role.ADMIN]) + len(GRANTABLE[Role.STAFF])
    assert page.count('value="health.read"') == 2
    response = owner.post(f"/settings/team/logins/{salon.owner.id}", data={"role": "admin", "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Login, salon.owner.id).role == "owner"
    assert "You cannot change your own role" in owner.get(
        "/settings/team/", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)


def test_the_guardian_question_is_asked_for_children_only(salon, login_as):
    adult = factories.make_customer(salon.account, "Erwachsen", birthday=date(1972, 5, 1))
    child = factories.make_customer(
        salon.account, "Kind", birthday=salon.account.today().replace(year=salon.account.today().year - 10)
    )
    unknown = factories.make_customer(salon.account, "Unbekannt")
    owner = login_as(salon.owner)
    for customer_id, asked in ((adult, False), (child, True), (unknown, True)):
        page = owner.get(f"/customers/{customer_id}/messages").get_data(as_text=True)
        assert ('name="guardian_consent"' in page) is asked, customer_id
        assert 'value="" selected disabled' in page  # no consent preselected
