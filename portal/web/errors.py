"""Error pages in the layout, never a traceback; htmx gets a short fragment it can show."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from portal.extensions import db, htmx

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    403: (_l("Not allowed"), _l("Your login does not have the permission for this.")),
    404: (_l("Not found"), _l("This page or record does not exist, or it is not part of your salon.")),
    405: (_l("Not allowed"), _l("This action is not possible here.")),
    413: (_l("Too large"), _l("The input is too large.")),
    422: (_l("Invalid input"), _l("Please check your input.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error occurred. Nothing was changed; please try again.")),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    template = "errors/_error.html" if htmx else "errors/page.html"
    response_code = code
    body = render_template(template, code=code, title=title, message=detail or message)
    return body, response_code


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, str(_l("Your session form expired. Please reload the page and try again.")))

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
