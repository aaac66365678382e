"""Demo data: a realistic salon with two locations, every role, employees with PINs, customers
with appointments, invoices, vouchers and stamp cards, plus a second small salon.

Bulk inserts in batches so that `--customers 100000` finishes well under a minute.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from portal import activity
from portal.accountability import processors
from portal.auth.service import hash_secret
from portal.customers.service import refresh_search_keys
from portal.extensions import db
from portal.models import (
    Account,
    Appointment,
    AuditEvent,
    BonusProgram,
    Customer,
    CustomerFieldDefinition,
    CustomerFieldValue,
    Employee,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoicePayment,
    LineKind,
    Location,
    Login,
    Processor,
    Service,
    StampCard,
    Voucher,
    VoucherEntry,
)
from portal.models.base import clock_at
from portal.signed_forms.designer import add_intake_form

DEMO_PASSWORD = "salon-demo-2026"
BATCH = 5000

FIRST_NAMES = (
    "Anna Lena Mia Emma Hannah Sophie Marie Laura Julia Lisa Sarah Katharina Nina Lea "
    "Clara Paula Jana Eva Maria Sabine Petra Claudia Andrea Monika Jonas Lukas Leon "
    "Felix Paul Max Tim Jan Thomas Michael Stefan Markus Ali Mehmet Elif Zeynep Olga "
    "Ivana Sofia Giulia Chiara Noah Ben Emil Greta Frieda Ida Mila"
).split()
LAST_NAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
    "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger "
    "Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann Schmid Schulze Maier "
    "Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller "
    "Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth "
    "Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Yilmaz "
    "Kaya Demir Nowak Kowalski Rossi"
).split()
STREETS = (
    "Hauptstraße Schulstraße Gartenstraße Bahnhofstraße Dorfstraße Bergstraße "
    "Lindenstraße Kastanienallee Schönhauser Allee Torstraße Invalidenstraße"
).split()
SERVICES = [
    ("Damenhaarschnitt", 45, 4900),
    ("Herrenhaarschnitt", 30, 2900),
    ("Färben", 90, 7900),
    ("Strähnen", 120, 9900),
    ("Kosmetikbehandlung", 60, 6500),
    ("Maniküre", 45, 3500),
    ("EMS-Training", 25, 3000),
]


# What salons really keep: short notes (some with commas and line breaks), colour recipes and
# a hair type for part of the customers.
NOTES = (
    "Mag keinen Kaffee, lieber grünen Tee",
    "Kommt meist mit Tochter",
    "Allergie: Nickel\nKeine Metallclips",
    "Empfindliche Kopfhaut",
    "Termin am liebsten vormittags",
    "Zahlt bar",
    "Hört schlecht – deutlich sprechen",
)
RECIPES = (
    "Koleston 7/0 + 7/1, 6 % Oxid\n30 Min.",
    "Blondierung 9 %, Toner 10/16",
    "Igora 5-0, 3 % Oxid",
    "Strähnen Folie, 12 %\nToner Perlmutt",
    "Glossing 8/81, 20 Min.",
)
HAIR_TYPES = ("fein", "normal", "kräftig", "lockig")
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _ascii(name: str) -> str:
    """Email addresses in the demo are plain ASCII, as most mail systems need."""
    return name.lower().translate(UMLAUTS)


def _customer_rows(
    account_id: int, location_ids: list[int], count: int, rng: random.Random, now: datetime
) -> list[dict]:
    rows = []
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        customer = Customer(first_name=first, last_name=last)
        has_email = rng.random() < 0.85
        customer.email = f"{_ascii(first)}.{_ascii(last)}.{account_id}.{n}@example.com" if has_email else None
        customer.phone = f"+49170{rng.randrange(1000000, 9999999)}" if rng.random() < 0.9 else None
        refresh_search_keys(customer)
        created = now - timedelta(days=rng.randrange(30, 3650))
        rows.append(
            {
                "account_id": account_id,
                "first_name": first,
                "last_name": last,
                "email": customer.email,
                "phone": customer.phone,
                "birthday": date(rng.randrange(1950, 2010), rng.randrange(1, 13), rng.randrange(1, 29))
                if rng.random() < 0.6
                else None,
                "street": f"{rng.choice(STREETS)} {rng.randrange(1, 200)}",
                "postal_code": f"{rng.randrange(10115, 14199)}",
                "city": "Berlin",
                "country": "DE",
                "notes": rng.choice(NOTES) if rng.random() < 0.25 else "",
                "home_location_id": rng.choice(location_ids),
                "created_at": created,
                "imported_at": created if rng.random() < 0.2 else None,
                "sort_name": customer.sort_name,
                "search_text": customer.search_text,
            }
        )
    return rows


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    if not rows:
        return []
    result = db.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result]


def _custom_values(account_id: int, ids: list[int], fields: dict[str, int], rng: random.Random) -> list[dict]:
    values = []
    for customer_id in ids:
        if "hair_type" in fields and rng.random() < 0.6:
            values.append(
                {
                    "account_id": account_id,
                    "customer_id": customer_id,
                    "field_id": fields["hair_type"],
                    "value": rng.choice(HAIR_TYPES),
                }
            )
        if "colour_recipe" in fields and rng.random() < 0.3:
            values.append(
                {
                    "account_id": account_id,
                    "customer_id": customer_id,
                    "field_id": fields["colour_recipe"],
                    "value": rng.choice(RECIPES),
                }
            )
    return values


def _populate(
    account: Account,
    locations: list[Location],
    employees: list[Employee],
    services: list[Service],
    customers: int,
    rng: random.Random,
) -> dict:
    now = datetime.now(UTC).replace(microsecond=0)
    location_ids = [loc.id for loc in locations]
    totals = {"customers": 0, "appointments": 0, "invoices": 0, "vouchers": 0}
    by_id = {loc.id: loc for loc in locations}
    program = BonusProgram(
        account_id=account.id,
        name="Treuekarte",
        stamps_required=10,
        reward="Ein Haarschnitt gratis",
        services=[s for s in services if s.name.endswith("haarschnitt")],
    )
    db.session.add(program)
    db.session.flush()
    invoice_number = 0
    fields = dict(
        db.session.execute(
            select(CustomerFieldDefinition.key, CustomerFieldDefinition.id).where(
                CustomerFieldDefinition.account_id == account.id
            )
        ).all()
    )
    for start in range(0, customers, BATCH):
        rows = _customer_rows(account.id, location_ids, min(BATCH, customers - start), rng, now)
        ids = _insert_returning_ids(Customer, rows)
        names = {cid: f"{row['first_name']} {row['last_name']}" for cid, row in zip(ids, rows, strict=True)}
        appointments, billed, vouchers, cards = [], [], [], []
        for customer_id in ids:
            for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
                service = rng.choice(services)
                # Over five years back, a month ahead: last activity spreads over the whole range.
                starts = (now + timedelta(days=rng.randrange(-1825, 30), hours=rng.randrange(-4, 4))).replace(
                    minute=rng.choice((0, 15, 30, 45)), second=0
                )
                past = starts < now - timedelta(hours=2)
                status = rng.choice(("attended", "attended", "attended", "no_show", "cancelled")) if past else "booked"
                appointments.append(
                    {
                        "account_id": account.id,
                        "location_id": rng.choice(location_ids),
                        "customer_id": customer_id,
                        "employee_id": rng.choice(employees).id,
                        "service_id": service.id,
                        "starts_at": starts,
                        "ends_at": starts + timedelta(minutes=service.duration_minutes),
                        "status": status,
                        "notes": "",
                        "created_at": starts - timedelta(days=7),
                    }
                )
                billed.append(service if status == "attended" else None)
            if rng.random() < 0.05:
                value = rng.choice((2500, 5000, 10000))
                vouchers.append(
                    {
                        "account_id": account.id,
                        "code": f"G{customer_id:08d}",
                        "customer_id": customer_id,
                        "initial_cents": value,
                        "remaining_cents": rng.choice((0, value // 2, value)),
                        "issued_at": now - timedelta(days=rng.randrange(1, 700)),
                        "expires_on": (now + timedelta(days=rng.randrange(30, 1000))).date(),
                    }
                )
            if rng.random() < 0.1:
                cards.append(
                    {
                        "account_id": account.id,
                        "program_id": program.id,
                        "customer_id": customer_id,
                        "stamps": rng.randrange(0, 10),
                    }
                )
        appointment_ids = _insert_returning_ids(Appointment, appointments)
        invoices, lines = [], []
        for appointment_id, row, service in zip(appointment_ids, appointments, billed, strict=True):
            if service is None:
                continue
            invoice_number += 1
            location = by_id[row["location_id"]]
            issued = row["ends_at"]
            invoices.append(
                {
                    "account_id": account.id,
                    "location_id": location.id,
                    "customer_id": row["customer_id"],
                    "appointment_id": appointment_id,
                    "kind": "invoice",
                    "number": f"R-{invoice_number:07d}",
                    "billed_name": names[row["customer_id"]],
                    "issued_at": issued,
                    "service_date": account.local_date(row["starts_at"]),
                    "status": "paid",
                    "total_cents": service.price_cents,
                    "checkout_key": f"demo-{invoice_number}",
                    "seller_name": f"{account.name} – {location.name}",
                    "seller_address": f"{location.street}\n{location.postal_code} {location.city}",
                    "seller_tax_id": location.tax_id,
                }
            )
            lines.append(service)
        invoice_ids = _insert_returning_ids(Invoice, invoices)
        if invoice_ids:
            db.session.execute(
                insert(InvoiceLine),
                [
                    {
                        "account_id": account.id,
                        "invoice_id": invoice_id,
                        "kind": "service",
                        "service_id": service.id,
                        "description": service.name,
                        "quantity": 1,
                        "unit_price_cents": service.price_cents,
                        "vat_rate_permille": 190,
                    }
                    for invoice_id, service in zip(invoice_ids, lines, strict=True)
                ],
            )
            db.session.execute(
                insert(InvoicePayment),
                [
                    {
                        "account_id": account.id,
                        "invoice_id": invoice_id,
                        "method": rng.choice(("cash", "card")),
                        "amount_cents": service.price_cents,
                    }
                    for invoice_id, service in zip(invoice_ids, lines, strict=True)
                ],
            )
        voucher_ids = _insert_returning_ids(Voucher, vouchers)
        if voucher_ids:
            # Their history: created, then what was redeemed of them.
            entries = []
            for voucher_id, row in zip(voucher_ids, vouchers, strict=True):
                entries.append(
                    {
                        "account_id": account.id,
                        "voucher_id": voucher_id,
                        "kind": "issued",
                        "amount_cents": row["initial_cents"],
                        "occurred_at": row["issued_at"],
                        "reason": "",
                    }
                )
                if row["remaining_cents"] < row["initial_cents"]:
                    entries.append(
                        {
                            "account_id": account.id,
                            "voucher_id": voucher_id,
                            "kind": "redeemed",
                            "amount_cents": row["remaining_cents"] - row["initial_cents"],
                            "occurred_at": row["issued_at"] + timedelta(days=14),
                            "reason": "",
                        }
                    )
            db.session.execute(insert(VoucherEntry), entries)
        if values := _custom_values(account.id, ids, fields, rng):
            db.session.execute(insert(CustomerFieldValue), values)
        if cards:
            db.session.execute(insert(StampCard), cards)
        totals["customers"] += len(ids)
        totals["appointments"] += len(appointments)
        totals["invoices"] += len(invoices)
        totals["vouchers"] += len(vouchers)
        db.session.commit()
    # The counter goes on after the demo's numbers; activity is computed from what was recorded.
    db.session.merge(InvoiceCounter(account_id=account.id, last_number=invoice_number))
    activity.refresh_account(account.id)
    db.session.commit()
    return totals


HISTORY_MIX = (("appointment", 50), ("access", 30), ("customer", 15), ("setting", 3), ("login", 2))


def seed_history(account_id: int, count: int, rng: random.Random | None = None) -> int:
    """Bulk audit events spread over two years, for benchmarks of the history pages."""
    rng = rng or random.Random(7)
    customer_ids = db.session.scalars(select(Customer.id).where(Customer.account_id == account_id)).all()
    employee_ids = db.session.scalars(select(Employee.id).where(Employee.account_id == account_id)).all()
    login_ids = db.session.scalars(select(Login.id).where(Login.account_id == account_id)).all()
    categories = [c for c, weight in HISTORY_MIX for _ in range(weight)]
    now = datetime.now(UTC)
    written = 0
    while written < count:
        rows = []
        for _ in range(min(BATCH * 4, count - written)):
            category = rng.choice(categories)
            customer_id = rng.choice(customer_ids) if category in ("appointment", "access", "customer") else None
            when = now - timedelta(seconds=rng.randrange(0, 730 * 86400))
            row = {
                "account_id": account_id,
                "occurred_at": when,
                "category": category,
                "actor_login_id": rng.choice(login_ids),
                "employee_id": None,
                "customer_id": customer_id,
                "changes": {},
                "summary": "",
                "request_id": "",
                "ip": "127.0.0.1",
                "user_agent": "",
                "redacted_at": None,
            }
            if category == "appointment":
                start = when + timedelta(days=rng.randrange(1, 30))
                row.update(
                    action=rng.choice(("created", "moved", "cancelled")),
                    entity_type="appointment",
                    entity_id=rng.randrange(1, 10**6),
                    employee_id=rng.choice(employee_ids + [None]),
                    changes={"starts_at": {"old": None, "new": start.isoformat()}},
                )
            elif category == "access":
                row.update(action="viewed", entity_type="customer", entity_id=customer_id, changes={"tab": "data"})
            elif category == "customer":
                row.update(
                    action="updated",
                    entity_type="customer",
                    entity_id=customer_id,
                    changes={"phone": {"old": "+491701234567", "new": "+491707654321"}},
                )
            elif category == "setting":
                row.update(
                    action="updated",
                    entity_type="account",
                    entity_id=account_id,
                    changes={"pin_required": {"old": False, "new": True}},
                )
            else:
                row.update(action="login", entity_type="login", entity_id=row["actor_login_id"])
            rows.append(row)
        db.session.execute(insert(AuditEvent), rows)
        db.session.commit()
        written += len(rows)
    return written


def _daily_work(account: Account, staff: Login, employee: Employee, services: list[Service]) -> None:
    """The last days of the demo salon as the till recorded them, through the portal's own
    operations: visits checked out (a product at 7 %, a voucher sold), a voucher partly
    redeemed, a sale cancelled by storno, a no-show, a visit still to be billed, a gift
    voucher, and a second bonus program with a card collecting stamps."""
    from portal.appointments.service import AppointmentData, create_appointment
    from portal.audit import Actor
    from portal.bonus import service as bonus
    from portal.checkout.service import CheckoutInput, LineInput, cancel_invoice, checkout, mark_no_show
    from portal.vouchers import service as vouchers

    actor = Actor(account.id, staff.id, employee.id)
    by_name = {s.name: s for s in services}
    location = account.main_location
    people = list(
        db.session.scalars(
            select(Customer)
            .where(Customer.account_id == account.id, Customer.email.is_not(None))
            .order_by(Customer.id)
            .limit(3)
        )
    )
    if len(people) < 3:
        return
    anna, ben, cleo = people
    zone = ZoneInfo(account.timezone)
    today = account.today()

    def at(days_ago: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=zone).astimezone(UTC)

    def book(customer: Customer, days_ago: int, hour: int, service: str) -> Appointment:
        with clock_at(at(days_ago + 7, 9)):
            appointment = create_appointment(
                actor,
                customer,
                AppointmentData(
                    location.id, by_name[service].id, employee.id, today - timedelta(days=days_ago), time(hour), 45, ""
                ),
            )
        db.session.commit()
        return appointment

    def sell(when: datetime, lines: list[LineInput], **data) -> Invoice:
        with clock_at(when):
            invoice = checkout(
                actor, CheckoutInput(location_id=location.id, key=f"demo-story-{when.timestamp()}", lines=lines, **data)
            )
        db.session.commit()
        return invoice

    with clock_at(at(10, 9)):
        beauty = bonus.save_program(
            actor,
            None,
            bonus.ProgramData(
                "Kosmetik-Bonus",
                5,
                "Eine Maniküre gratis",
                [by_name["Kosmetikbehandlung"].id, by_name["Maniküre"].id],
                True,
            ),
        )
        bonus.activate(actor, anna, beauty)
        vouchers.issue(actor, 3000, None, cleo.id)  # a birthday present, not sold
    db.session.commit()

    facial = book(anna, 3, 10, "Kosmetikbehandlung")
    sell(
        at(3, 11),
        [
            LineInput(LineKind.SERVICE, service_id=facial.service_id),
            LineInput(LineKind.PRODUCT, description="Feuchtigkeitscreme", unit_price_cents=2490, vat_rate_permille=190),
            LineInput(LineKind.VOUCHER, unit_price_cents=5000),
        ],
        appointment_id=facial.id,
        method="card",
    )
    sold = db.session.scalars(
        select(Voucher).where(Voucher.customer_id == anna.id, Voucher.sold_invoice_id.is_not(None))
    ).first()
    cut = book(ben, 2, 14, "Damenhaarschnitt")
    sell(
        at(2, 15),
        [LineInput(LineKind.SERVICE, service_id=cut.service_id)],
        appointment_id=cut.id,
        voucher_code=sold.code,
        voucher_cents=2000,
        method="cash",
    )
    wrong = sell(
        at(1, 12), [LineInput(LineKind.PRODUCT, description="Haarspray", unit_price_cents=1290)], customer_id=ben.id
    )
    with clock_at(at(1, 12, 10)):
        cancel_invoice(actor, wrong, "Falscher Artikel gebucht")
    db.session.commit()
    missed = book(cleo, 1, 9, "Maniküre")
    with clock_at(at(1, 10)):
        mark_no_show(actor, missed)
    db.session.commit()
    book(cleo, 1, 16, "Färben")  # not checked out yet: "Noch abzurechnen"
    _signed_forms(account, actor, anna, by_name["Färben"], at(3, 9, 50))


# A signature as the pad sends it (two strokes on a 600 x 220 pad); the forms benchmark signs so too.
DEMO_SIGNATURE = [
    [[30 + 9 * i, 150 - (37 * i) % 70] for i in range(40)],
    [[420 + 4 * i, 100 + (23 * i) % 40] for i in range(30)],
]


def _signed_forms(account: Account, actor, customer: Customer, colouring: Service, when: datetime) -> None:
    """A treatment form for colouring with a health question, and the intake form Anna signed
    on the tablet before her facial (through the tablet's own operations)."""
    import json

    from portal.signed_forms import designer
    from portal.signed_forms.signing import Submission, sign
    from portal.signed_forms.tablet import hand_over

    with clock_at(when - timedelta(days=1)):
        designer.create_form(
            actor,
            {
                "title": "Färbung – Allergie-Check",
                "intro": "Vor jeder Färbung fragen wir kurz nach Allergien, damit die Farbe Ihnen guttut.",
                "privacy_text": designer.intake_form_privacy_text(account.id),
                "interval": "every_visit",
                "fields": [
                    {"label": "Hatten Sie schon einmal eine Reaktion auf Haarfarbe?", "type": "yes_no", "health": True},
                    {"label": "Wunschfarbe", "type": "text"},
                ],
                "consents": {"health": designer.intake_content_health_text(account.name)},
            },
            [colouring.id],
            False,
        )
    with clock_at(when):
        tablet = hand_over(actor, designer.intake_form(account.id), customer, None, actor.employee_id, "1234", "de")
        answers = {
            "field_first_name": customer.first_name,
            "field_last_name": customer.last_name,
            "field_allergies": "Nickel",
        }
        sign(
            tablet,
            Submission(
                answers, {"email", "health"}, json.dumps(DEMO_SIGNATURE), 600, 220, tablet.version_id, "192.0.2.20"
            ),
        )
    db.session.commit()


def _salon(name: str, slug: str, state: str, location_names: list[str]) -> tuple[Account, list[Location]]:
    account = Account(name=name, slug=slug)
    db.session.add(account)
    db.session.flush()
    locations = [
        Location(
            account_id=account.id,
            name=loc,
            street="Kastanienallee 12",
            state=state,
            postal_code="10435",
            city="Berlin",
            tax_id="13/345/67890",
        )
        for loc in location_names
    ]
    db.session.add_all(locations)
    processors.add_standard(account.id)
    add_intake_form(account.id, account.name)
    db.session.flush()
    return account, locations


def _services(account: Account) -> list[Service]:
    services = [Service(account_id=account.id, name=n, duration_minutes=d, price_cents=p) for n, d, p in SERVICES]
    db.session.add_all(services)
    db.session.flush()
    return services


def _processors(account: Account) -> None:
    """The register half done, as a salon has it: the hosting completed, a newsletter tool in a
    third country (cleaned by hand on erasures), the mail and SMS providers still to name."""
    today = account.today()
    for processor in db.session.scalars(select(Processor).where(Processor.account_id == account.id)):
        if processor.standard == "operator":
            processor.name, processor.region = "Portal-Hosting GmbH", "eu"
            processor.address = "Rechenzentrumstraße 5\n60314 Frankfurt am Main"
            processor.dpa_signed_on, processor.review_on = today - timedelta(days=365), today + timedelta(days=20)
    db.session.add(
        Processor(
            account_id=account.id,
            name="Beispiel-Newsletter Inc.",
            service="Versand des Newsletters",
            data_categories="Name, E-Mail-Adresse, Öffnungen",
            region="third_country",
            country="USA",
            transfer_mechanism="scc",
            dpa_signed_on=today - timedelta(days=200),
            erase_by_hand=True,
        )
    )


def seed(customers: int = 300) -> str:
    rng = random.Random(2026)
    password = hash_secret(DEMO_PASSWORD)

    account, locations = _salon(
        "Salon Sonnenschein", "salon-sonnenschein", "BE", ["Sonnenschein Mitte", "Sonnenschein Prenzlauer Berg"]
    )
    for email, name, role, extra in (
        ("owner@demo.test", "Sandra Sonnenschein", "owner", []),
        ("admin@demo.test", "Anja Admin", "admin", []),
        ("staff@demo.test", "Salon-Tablet Mitte", "staff", []),
        ("accountant@demo.test", "Kanzlei Steuerklar", "accountant", []),
    ):
        db.session.add(
            Login(
                account_id=account.id,
                email=email,
                name=name,
                role=role,
                password_hash=password,
                extra_permissions=extra,
                locale="de",
            )
        )
    employees = [
        Employee(account_id=account.id, name=name, pin_hash=hash_secret(pin), location_id=locations[i % 2].id)
        for i, (name, pin) in enumerate((("Mia Schneider", "1234"), ("Jonas Weber", "2345"), ("Lea Fischer", "3456")))
    ]
    db.session.add_all(employees)
    db.session.add_all(
        [
            CustomerFieldDefinition(
                account_id=account.id, key="colour_recipe", label="Farbrezeptur", field_type="textarea", position=0
            ),
            CustomerFieldDefinition(
                account_id=account.id,
                key="hair_type",
                label="Haartyp",
                field_type="choice",
                choices=["fein", "normal", "kräftig", "lockig"],
                position=1,
            ),
        ]
    )
    services = _services(account)
    db.session.flush()
    _processors(account)
    totals = _populate(account, locations, employees, services, customers, rng)
    staff = db.session.scalar(select(Login).where(Login.email == "staff@demo.test"))
    _daily_work(account, staff, employees[0], services)

    other, other_locations = _salon("Beauty Lounge Hamburg", "beauty-lounge-hamburg", "HH", ["Beauty Lounge"])
    db.session.add(
        Login(
            account_id=other.id,
            email="owner@other.test",
            name="Olivia Other",
            role="owner",
            password_hash=password,
            extra_permissions=[],
            locale="de",
        )
    )
    other_employee = Employee(account_id=other.id, name="Tom Tanner", pin_hash=hash_secret("4321"))
    db.session.add(other_employee)
    db.session.flush()
    _populate(other, other_locations, [other_employee], _services(other), 20, rng)
    db.session.commit()
    return (
        f"Demo salons seeded: salon-sonnenschein with {totals['customers']} customers, "
        f"{totals['appointments']} appointments, {totals['invoices']} invoices, "
        f"{totals['vouchers']} vouchers; beauty-lounge-hamburg with 20 customers."
    )
