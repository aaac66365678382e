"""Settings > Bonus programs, and activating a card in the customer file."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.decorators import requires
from portal.auth.permissions import Permission
from portal.bonus import service
from portal.bonus.forms import ActivateCardForm, ProgramForm
from portal.checkout.service import catalogue
from portal.models import BonusProgram, Customer
from portal.tenancy import get_owned_or_404
from portal.web.actor import request_actor
from portal.web.pin import acting, pin_form

bp = Blueprint("bonus", __name__)

ERRORS = {
    "required": lambda: _("Please give a name and the reward."),
    "stamps": lambda: _("Between 1 and 50 stamps."),
    "services": lambda: _("Please choose at least one service."),
    "program": lambda: _("This program is not active."),
    "already-active": lambda: _("This customer already collects stamps in this program."),
}


def _form(program: BonusProgram | None) -> ProgramForm:
    form = ProgramForm(obj=program)
    form.service_ids.choices = [(s.id, s.name) for s in catalogue(current_user.account_id)[1]]
    if program is not None and not form.is_submitted():
        form.service_ids.data = [s.id for s in program.services]
    return form


def _save(program: BonusProgram | None, template: str):
    form = _form(program)
    if form.validate_on_submit():
        try:
            saved = service.save_program(request_actor(), program, form.to_data())
        except service.BonusError as error:
            form.name.errors = [*form.name.errors, ERRORS[error.code]()]
        else:
            flash(_("Bonus program %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("bonus.index"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        template, form=form, program=program, programs=service.programs(current_user.account_id)
    ), status


@bp.route("/settings/bonus-programs", methods=["GET", "POST"])
@requires(Permission.SETTINGS_MANAGE)
def index():
    return _save(None, "bonus/index.html")


@bp.route("/settings/bonus-programs/<int:program_id>", methods=["GET", "POST"])
@requires(Permission.SETTINGS_MANAGE)
def edit(program_id: int):
    return _save(get_owned_or_404(BonusProgram, program_id, current_user.account_id), "bonus/edit.html")


@bp.route("/customers/<int:customer_id>/stamp-cards", methods=["POST"])
@requires(Permission.CUSTOMER_EDIT)
def activate(customer_id: int):
    customer = get_owned_or_404(Customer, customer_id, current_user.account_id)
    form = ActivateCardForm()
    form.program_id.choices = [(p.id, p.name) for p in service.programs(current_user.account_id, active_only=True)]
    if form.validate_on_submit() and (actor := acting(pin_form())):
        program = get_owned_or_404(BonusProgram, form.program_id.data, current_user.account_id)
        try:
            service.activate(actor, customer, program)
        except service.BonusError as error:
            flash(ERRORS[error.code](), "error")
        else:
            flash(_("Bonus card %(name)s activated.", name=program.name), "success")
    else:
        flash(_("Please choose a program (and confirm with your PIN)."), "error")
    return redirect(url_for("customers.detail", customer_id=customer.id, tab="vouchers"))
