"""data.json is written one record per line by hand around json's C encoder: it must stay
exactly the JSON of the data, whatever the values hold."""

from __future__ import annotations

import json

from portal.requests.access import readable_json


def test_the_file_is_the_json_of_the_data_one_record_per_line():
    data = {
        "schema": "salon-privacy-portal/access-package",
        "subject": {"first_name": "Zoë", "notes": 'Zeile 1\nZeile 2 mit "Anführung" und }, {'},
        "appointments": [{"id": 1, "notes": "a\nb"}, {"id": 2, "notes": ""}],
        "invoices": [{"number": "R-1", "lines": [{"description": "Schnitt", "quantity": 1}], "payments": []}],
        "vouchers": [],
        "empty": {},
        "count": 3,
    }
    text = readable_json(data)
    assert json.loads(text) == data
    lines = text.splitlines()
    assert '    {"id": 1, "notes": "a\\nb"},' in lines and '    {"id": 2, "notes": ""}' in lines
    assert '  "vouchers": [],' in lines and lines[0] == "{" and lines[-1] == "}"
    assert "Zoë" in text  # readable, not \\u-escaped
