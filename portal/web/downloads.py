"""The page of a single-use download link: GET shows the file and a button, POST sends it."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import downloads
from portal.web.actor import request_actor


def single_use_download(token: str, purpose: str, category: str):
    stored = downloads.file_for_link(token, purpose, current_user)
    if stored is None:
        return render_template("history/download.html", stored=None), 410
    if request.method == "GET":
        return render_template("history/download.html", stored=stored, form=FlaskForm())
    if not downloads.take_download(request_actor(), token, purpose, stored, category):
        return render_template("history/download.html", stored=None), 410
    return Response(
        stored.content,
        mimetype=stored.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stored.filename}"', "Cache-Control": "no-store"},
    )
