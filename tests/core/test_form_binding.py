"""A form class's fields are bound afresh for each form: making forms never changes the class
(once, every bind added one more text cleaner to the shared field, without end)."""

from __future__ import annotations

from wtforms import IntegerField, StringField

from portal.web.forms import PortalForm


class _Example(PortalForm):
    class Meta:
        csrf = False

    name = StringField()
    count = IntegerField()


def test_binding_a_form_leaves_the_class_as_it_was(app):
    with app.test_request_context():
        before = (dict(_Example.name.kwargs), dict(_Example.count.kwargs))
        forms = [_Example(formdata=None) for _ in range(5)]
        assert (dict(_Example.name.kwargs), dict(_Example.count.kwargs)) == before
        assert all(len(form.name.filters) == 1 and len(form.count.validators) == 1 for form in forms)
    with app.test_request_context(method="POST", data={"name": "An\x00na\tB", "count": "99999999999"}):
        form = _Example()
        assert form.name.data == "Anna B" and not form.validate() and form.count.errors
