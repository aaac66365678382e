"""The Salon Privacy Portal application factory."""

from __future__ import annotations

import logging

from flask import Flask, abort, g, has_request_context, request, session
from flask_login import current_user

from portal.config import ROOT, Config, config_for_env
from portal.extensions import babel, csrf, db, htmx, login_manager
from portal.extensions import mail as mail_extension  # "mail" is also the portal.mail module
from portal.postgres_runtime import keep_prepared_statements, ping_after_idle
from portal.rate_limits import attempts
from portal.web import form_attributes
from portal.web.words import language


def _select_locale():
    """The language of the request (a `Locale`: the process's one object for it)."""
    return language(_language_code())


def _language_code() -> str:
    languages = ("de", "en")
    if not has_request_context():  # a command or a job: German, unless it forces another
        return "de"
    if g.get("tablet_locale") in languages:  # tablet mode: the customer's language, not the staff's
        return g.tablet_locale
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages, "de") if request else "de"


def _select_timezone() -> str | None:
    """Times are shown in the salon's zone (Europe/Berlin unless the salon lies elsewhere)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.account.timezone
    return None


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    if isinstance(config, dict):
        app.config.from_object(config_for_env())
        app.config.update(config)
    else:
        app.config.from_object(config or config_for_env())
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set (see README: Running in production)")
    app.logger.setLevel(logging.INFO)

    db.init_app(app)
    with app.app_context():
        keep_prepared_statements(db.engine)
        ping_after_idle(db.engine)
    login_manager.init_app(app)
    csrf.init_app(app)
    form_attributes.install()
    mail_extension.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    attempts.init_app(app)

    _init_login(app)
    from portal.web import converters

    converters.install(app)
    _register_blueprints(app)
    _protect_static(app)

    from portal.web.actor import init_request_ids
    from portal.web.errors import init_error_pages
    from portal.web.security import init_security_headers
    from portal.web.templating import init_templating

    init_request_ids(app)
    init_error_pages(app)
    init_security_headers(app)
    init_templating(app)

    from portal.cli import register_cli

    register_cli(app)
    _enforce_declared_access(app)
    return app


def _init_login(app: Flask) -> None:
    from portal.auth.sessions import load_login
    from portal.web.htmx import login_required_response

    login_manager.session_protection = None  # the server-side session row is the protection
    login_manager.user_loader(load_login)
    login_manager.unauthorized_handler(login_required_response)


def _register_blueprints(app: Flask) -> None:
    from portal.accountability.breach_views import bp as breaches_bp
    from portal.accountability.evidence_views import bp as evidence_bp
    from portal.accountability.processing_views import bp as processing_bp
    from portal.accountability.processor_views import bp as processors_bp
    from portal.accountability.views import bp as accountability_bp
    from portal.appointments.views import bp as appointments_bp
    from portal.auth.views import bp as auth_bp
    from portal.bonus.views import bp as bonus_bp
    from portal.checkout.views import bp as checkout_bp
    from portal.customers.views import bp as customers_bp
    from portal.dashboard.views import bp as dashboard_bp
    from portal.exports.views import bp as exports_bp
    from portal.history.views import bp as history_bp
    from portal.imports.views import bp as imports_bp
    from portal.messaging.views import bp as messaging_bp
    from portal.password_reset.views import bp as password_reset_bp
    from portal.privacy.views import bp as privacy_bp
    from portal.public.views import bp as public_bp
    from portal.requests.views import bp as requests_bp
    from portal.retention.views import bp as retention_bp
    from portal.settings.views import bp as settings_bp
    from portal.signed_forms.designer_views import bp as forms_bp
    from portal.signed_forms.document_views import bp as documents_bp
    from portal.signed_forms.tablet_views import bp as tablet_bp
    from portal.team.views import bp as team_bp
    from portal.two_factor.views import bp as two_factor_bp
    from portal.vouchers.views import bp as vouchers_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(tablet_bp)  # first: its guard keeps a tablet in tablet mode
    app.register_blueprint(customers_bp)
    app.register_blueprint(forms_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(team_bp)
    app.register_blueprint(appointments_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(accountability_bp)
    app.register_blueprint(processors_bp)
    app.register_blueprint(breaches_bp)
    app.register_blueprint(processing_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(requests_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(retention_bp)
    app.register_blueprint(messaging_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(vouchers_bp)
    app.register_blueprint(bonus_bp)
    app.register_blueprint(password_reset_bp)
    app.register_blueprint(two_factor_bp)
    if app.config.get("DEV_TOOLS"):
        from portal.dev.views import bp as dev_bp

        app.register_blueprint(dev_bp)


def _protect_static(app: Flask) -> None:
    from portal.auth.decorators import public

    app.view_functions["static"] = public(app.view_functions["static"])


def _enforce_declared_access(app: Flask) -> None:
    """Deny by default: an endpoint that declares neither a permission nor @public never runs."""
    from portal.auth.decorators import declared_access

    @app.before_request
    def _check_declared():
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if view is not None and declared_access(view) is None:
            app.logger.error("endpoint %s declares no permission", request.endpoint)
            abort(403)
