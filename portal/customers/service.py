"""Customer file operations: create, update, search. Views, CLI and jobs share this path."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import Integer, String, and_, bindparam, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from portal.audit import Actor, event_values, field_changes, record, record_many
from portal.extensions import db
from portal.messaging.consent import record_prompt_answers
from portal.models import AuditEvent, Customer, CustomerFieldDefinition, CustomerFieldValue, CustomerGram
from portal.models.base import utcnow
from portal.plain_rows import plain_rows
from portal.tenancy import scoped
from portal.transaction import keeping_loaded_objects, one_transaction, transaction
from portal.validation import german_sort_key, phone_search_digits

STANDARD_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "birthday",
    "street",
    "postal_code",
    "city",
    "country",
    "notes",
)


def search_keys(first_name: str, last_name: str, email: str | None, phone: str | None) -> tuple[str, str]:
    """(sort_name, search_text): the name in German phone-book order, and one lower-cased
    haystack of name, email and phone digits for the live search."""
    parts = [first_name, last_name, email or "", phone_search_digits(phone)]
    return german_sort_key(last_name, first_name), " ".join(p for p in parts if p).lower()[:600]


def refresh_search_keys(customer: Customer) -> None:
    """Keep the derived sort and search columns in step with the data they come from."""
    customer.sort_name, customer.search_text = search_keys(
        customer.first_name, customer.last_name, customer.email, customer.phone
    )


def field_definitions(account_id: int) -> list[CustomerFieldDefinition]:
    """All of the salon's own fields, active or not, in their order (Settings > Customer fields)."""
    return db.session.scalars(
        scoped(CustomerFieldDefinition, account_id).order_by(CustomerFieldDefinition.position)
    ).all()


def active_field_definitions(account_id: int) -> list[CustomerFieldDefinition]:
    return list(db.session.scalars(_ACTIVE_FIELDS, {"account_id": account_id}))


# Read on every look at a customer file: built once.
_ACTIVE_FIELDS = (
    select(CustomerFieldDefinition)
    .where(CustomerFieldDefinition.account_id == bindparam("account_id"), CustomerFieldDefinition.active.is_(True))
    .order_by(CustomerFieldDefinition.position, CustomerFieldDefinition.id)
)


def custom_values(customer: Customer) -> dict[int, str]:
    return {value.field_id: value.value for value in customer.field_values}


def apply_changes(customer: Customer, data: dict, custom: dict[int, str]) -> dict[str, tuple]:
    """Set standard fields and custom field values; returns {field: (old, new)} of what changed."""
    changes: dict[str, tuple] = {}
    for name in STANDARD_FIELDS:
        if name not in data:
            continue
        old, new = getattr(customer, name), data[name]
        if old != new:
            changes[name] = (old, new)
            setattr(customer, name, new)
    existing = {value.field_id: value for value in customer.field_values}
    for field_id, new in custom.items():
        row = existing.get(field_id)
        old = row.value if row else ""
        if old == new:
            continue
        changes[f"custom:{field_id}"] = (old, new)
        if row is None:
            customer.field_values.append(
                CustomerFieldValue(account_id=customer.account_id, field_id=field_id, value=new)
            )
        else:
            row.value = new
    refresh_search_keys(customer)
    return changes


def custom_field_labels(account_id: int, changes: dict[str, tuple]) -> dict[str, str]:
    """Custom fields are named by their label at the time of the change."""
    ids = [int(name.split(":", 1)[1]) for name in changes if name.startswith("custom:")]
    if not ids:
        return {}
    rows = db.session.execute(
        select(CustomerFieldDefinition.id, CustomerFieldDefinition.label).where(
            CustomerFieldDefinition.account_id == account_id, CustomerFieldDefinition.id.in_(ids)
        )
    )
    return {f"custom:{field_id}": label for field_id, label in rows}


def record_change(actor: Actor, customer: Customer, action: str, changes: dict[str, tuple]) -> None:
    """The customer-history entry of a change: its fields before and after, own fields by label."""
    db.session.flush()
    record(
        actor,
        "customer",
        action,
        "customer",
        customer.id,
        field_changes(changes, custom_field_labels(customer.account_id, changes)),
        customer_id=customer.id,
        summary=customer.full_name,
    )


@transaction
def register_customer(actor: Actor, data: dict, custom: dict[int, str], consent_answers: dict[str, str]) -> Customer:
    """A new customer from the form, with what they said to the consent question."""
    customer = create_customer(actor, data, custom)
    record_prompt_answers(actor, customer, consent_answers)
    return customer


def create_customer(actor: Actor, data: dict, custom: dict[int, str]) -> Customer:
    customer = Customer(account_id=actor.account_id, last_name=data.get("last_name", ""))
    changes = apply_changes(customer, data, custom)
    db.session.add(customer)
    db.session.flush()
    record_change(actor, customer, "created", changes)
    return customer


@transaction
def update_customer(actor: Actor, customer: Customer, data: dict, custom: dict[int, str]) -> dict[str, tuple]:
    """Apply the form's values; one event with the field diff when anything changed."""
    changes = apply_changes(customer, data, custom)
    if changes:
        db.session.flush()
        record_change(actor, customer, "updated", changes)
    return changes


# One access entry per login, customer and ten minutes: going through the tabs of a file is
# one look, and a log of every click would bury the real changes.
ACCESS_LOG_WINDOW = timedelta(minutes=10)


def record_view(actor: Actor, customer: Customer, tab: str) -> bool:
    """Data-access log: who opened whose customer file (and which part first); False when the
    same login looked within the last ten minutes. That check only reads: it commits nothing,
    so the page keeps its loaded login and customer (a commit would expire them)."""
    looked_lately = db.session.execute(
        _LOOKED_LATELY,
        {
            "account_id": customer.account_id,
            "customer_id": customer.id,
            "login_id": actor.login_id,
            "since": utcnow() - ACCESS_LOG_WINDOW,
        },
    ).scalar()
    if looked_lately is not None:
        return False
    _log_view(actor, customer, tab)
    return True


_LOOKED_LATELY = (
    select(AuditEvent.id)
    .where(
        AuditEvent.account_id == bindparam("account_id"),
        AuditEvent.customer_id == bindparam("customer_id"),
        AuditEvent.category == "access",
        # A look without login (none today) matches looks without login, as `== None` did.
        AuditEvent.actor_login_id.is_not_distinct_from(bindparam("login_id", type_=Integer)),
        AuditEvent.occurred_at >= bindparam("since"),
    )
    .limit(1)
)


def _log_view(actor: Actor, customer: Customer, tab: str) -> None:
    """The look, written in one statement and committed without expiring what the page has
    loaded: the line changes none of it, and after the default expiry the page read its login,
    salon and customer again (a millisecond of every first look)."""
    with keeping_loaded_objects(), one_transaction():  # the commit happens inside the first
        record_many(
            [
                event_values(
                    actor, "access", "viewed", "customer", customer.id, {"tab": tab}, customer.id, customer.full_name
                )
            ]
        )


# --- Settings > Customer fields ---------------------------------------------------------------


@transaction
def add_field_definition(actor: Actor, label: str, field_type: str, choices: list[str]) -> CustomerFieldDefinition:
    existing = db.session.scalars(
        select(CustomerFieldDefinition.id).where(CustomerFieldDefinition.account_id == actor.account_id)
    ).all()
    definition = CustomerFieldDefinition(
        account_id=actor.account_id,
        key=f"field_{len(existing) + 1}",
        label=label,
        field_type=field_type,
        choices=choices,
        position=len(existing),
    )
    db.session.add(definition)
    db.session.flush()
    record(
        actor,
        "setting",
        "created",
        "customer_field",
        definition.id,
        field_changes({"label": (None, label), "field_type": (None, field_type), "choices": (None, choices)}),
        summary=label,
    )
    return definition


@transaction
def set_field_active(actor: Actor, definition: CustomerFieldDefinition, active: bool) -> None:
    if definition.active == active:
        return
    record(
        actor,
        "setting",
        "updated",
        "customer_field",
        definition.id,
        field_changes({"active": (definition.active, active)}),
        summary=definition.label,
    )
    definition.active = active


# --- live search with keyset pagination ------------------------------------------------------


@dataclass
class SearchPage:
    customers: list  # rows of LISTED (attribute access as on a Customer)
    next_after: int | None  # id of the last row when there may be more


def _like_term(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


PHONE_CHARACTERS = frozenset("+-/()0123456789")


def search_terms(query: str) -> list[str]:
    """Words of the query, lower-cased; a phone-like word keeps only its digits."""
    terms = []
    for word in query.lower().split()[:5]:
        if any(ch.isdigit() for ch in word) and set(word) <= PHONE_CHARACTERS:
            word = "".join(ch for ch in word if ch.isdigit())
        if word:
            terms.append(word[:100])
    return terms


# A fragment of three letters or more is looked up through customer_gram: each customer's
# three-character pieces, kept by triggers on both databases and read in name order
# (_page_through_pieces; on PostgreSQL _page_through_holders). pg_trgm's index, which PostgreSQL
# used before, finds matches in no order: a common fragment's page meant fetching and sorting
# all of them.
COUNTED = 5000


# What the list shows of a customer: read as rows, not as Customer objects (loading 26 objects
# into the session cost the list a fifth of its own time).
LISTED = (
    Customer.id,
    Customer.first_name,
    Customer.last_name,
    Customer.email,
    Customer.phone,
    Customer.restricted_at,
    Customer.last_activity_at,
)


def _listed(account_id: int):
    return scoped(Customer, account_id).with_only_columns(*LISTED)


def _like(column, term: str):
    return column.like(_like_term(term), escape="\\")


def _page(include_restricted: bool, terms: list[str], account_id: int, limit: int, after: tuple | None) -> list:
    """The first limit + 1 customers (rows of LISTED) in name order after `after` (sort name,
    number) that match the terms (restricted ones only if asked for)."""
    pieces = _pieces(terms)
    if pieces and db.engine.dialect.name == "postgresql":
        return _page_through_holders(include_restricted, terms, pieces, account_id, limit, after)
    if pieces:
        return _page_through_pieces(include_restricted, terms, pieces, account_id, limit, after)
    # Terms of one or two characters: they match nearly everyone, and a walk in name order
    # fills a page soon.
    conditions = [] if include_restricted else [Customer.restricted_at.is_(None)]
    matching = _listed(account_id).where(*conditions, *(_like(Customer.search_text, t) for t in terms))
    if after is not None:
        matching = matching.where(tuple_(Customer.sort_name, Customer.id) > tuple_(*after))
    return plain_rows(db.session.execute(matching.order_by(Customer.sort_name, Customer.id).limit(limit + 1)))


_ANCHOR = select(Customer.sort_name, Customer.id).where(
    Customer.id == bindparam("id"), Customer.account_id == bindparam("account_id")
)


@cache
def _name_order(include_restricted: bool, after: bool):
    """The list without search terms and its next pages: the salon's customers in name order,
    built once per shape (building it per page cost a tenth of the list) and bound per page."""
    statement = select(*LISTED).where(Customer.account_id == bindparam("account_id"))
    if not include_restricted:
        statement = statement.where(Customer.restricted_at.is_(None))
    if after:
        anchor = tuple_(bindparam("after_name", type_=String), bindparam("after_id", type_=Integer))
        statement = statement.where(tuple_(Customer.sort_name, Customer.id) > anchor)
    return statement.order_by(Customer.sort_name, Customer.id).limit(bindparam("limit", type_=Integer))


def _pieces(terms: list[str]) -> set[str]:
    """A few three-character pieces of each term (its first, middle and last): enough to narrow
    the search, each one lookup more. A term shorter than three characters gives none."""
    pieces = set()
    for term in terms:
        if len(term) >= 3:
            last = len(term) - 3  # where the term's last piece starts
            pieces.update(term[i : i + 3] for i in (0, last // 2, last))
    return pieces


def _page_through_pieces(
    include_restricted: bool, terms: list[str], pieces: set[str], account_id: int, limit: int, after: tuple | None
) -> list:
    """The customers holding the rarest piece, read from customer_gram in name order
    (its key is salon, piece, sort name, number), kept when they hold the other pieces too and
    match the terms; the first limit + 1 end it. A fragment far down the alphabet costs what one
    near the start does (under a millisecond at 100,000 customers; walking the names took 25 ms)."""
    rarest, *others = sorted(pieces, key=lambda piece: _holders(account_id, piece))
    apart = _pieces_apart(terms, rarest)
    others = [piece for piece in others if piece in apart] or others
    values = {
        "account_id": account_id,
        "rarest": rarest,
        "limit": limit + 1,
        **{f"term_{n}": _like_term(term) for n, term in enumerate(terms)},
        **{f"piece_{n}": piece for n, piece in enumerate(others)},
    }
    if after is not None:
        values["after_name"], values["after_id"] = after
    statement = _through_pieces(len(terms), len(others), after is not None, include_restricted)
    return plain_rows(db.session.execute(statement, values))


@cache
def _through_pieces(terms: int, others: int, after: bool, include_restricted: bool):
    """The statement of `_page_through_pieces` for a number of terms and of further pieces, built
    once per shape and bound per search: building it (a correlated subquery per piece) cost
    three times as much as running it."""
    held = CustomerGram
    statement = (
        select(*LISTED)
        .join(held, held.customer_id == Customer.id)
        .where(
            Customer.account_id == bindparam("account_id"),
            held.account_id == bindparam("account_id"),
            held.gram == bindparam("rarest", type_=String),
        )
    )
    if not include_restricted:
        statement = statement.where(Customer.restricted_at.is_(None))
    for n in range(terms):
        statement = statement.where(Customer.search_text.like(bindparam(f"term_{n}", type_=String), escape="\\"))
    for n in range(others):
        other = aliased(CustomerGram)
        statement = statement.where(
            select(other.customer_id)
            .where(
                other.account_id == bindparam("account_id"),
                other.gram == bindparam(f"piece_{n}", type_=String),
                other.sort_name == held.sort_name,
                other.customer_id == held.customer_id,
            )
            .exists()
        )
    if after:
        anchor = tuple_(bindparam("after_name", type_=String), bindparam("after_id", type_=Integer))
        statement = statement.where(tuple_(held.sort_name, held.customer_id) > anchor)
    # In the piece's key order (the same as the names'), so no sorting and an early end.
    return statement.order_by(held.sort_name, held.customer_id).limit(bindparam("limit", type_=Integer))


# PostgreSQL plans the one statement of _page_through_pieces by estimates that multiply the
# pieces' and the terms' selectivities into "one row at most", and then reads every holder of
# both pieces into a hash and sorts them (10 ms), or, once the statement is prepared, worse
# (seconds). So it reads a batch at a time: the holders of the rarest piece that hold a second
# piece too (two index-only ranges merged in name order), then their customers by number,
# checked against the terms; a batch twice the last one while the page is not full.
FIRST_BATCH = 64
LAST_BATCH = 4096


def _page_through_holders(
    include_restricted: bool, terms: list[str], pieces: set[str], account_id: int, limit: int, after: tuple | None
) -> list:
    """PostgreSQL: what _page_through_pieces finds, read batch by batch."""
    rarest = min(pieces, key=lambda piece: _holders(account_id, piece))
    other = _second_piece(account_id, terms, rarest)
    values = {
        "account_id": account_id,
        "rarest": rarest,
        "other": other,
        **{f"term_{n}": term for n, term in enumerate(terms)},
    }
    found: list = []
    batch = FIRST_BATCH
    while len(found) <= limit:
        if after is not None:
            values["after_name"], values["after_id"] = after
        statement = _holders_batch(len(terms), other is not None, after is not None, include_restricted)
        rows = plain_rows(db.session.execute(statement, {**values, "batch": batch}))
        found.extend(row for row in rows if row.id is not None)
        if not rows or rows[-1].held < batch:
            break
        after = (rows[-1].held_name, rows[-1].held_id)
        batch = min(batch * 2, LAST_BATCH)
    return found[: limit + 1]


def _pieces_apart(terms: list[str], rarest: str) -> set[str]:
    """The pieces of the words that do not hold the rarest piece: the pieces of one word go
    together ("fis" and "isc"), another word's narrow the rarest piece's holders."""
    by_word = [_pieces([term]) for term in terms]
    return set().union(*(pieces for pieces in by_word if rarest not in pieces))


def _second_piece(account_id: int, terms: list[str], rarest: str) -> str | None:
    """The piece whose holders narrow the rarest piece's most: the rarest of another term (the
    pieces of one word go together: "fis" and "isc"), and none that nearly everybody holds
    (a prepared statement may read all its holders into a hash)."""
    candidates = _pieces_apart(terms, rarest) or _pieces(terms) - {rarest}
    if not candidates:
        return None
    other = min(candidates, key=lambda piece: _holders(account_id, piece))
    return other if _holders(account_id, other) < COUNTED else None


@cache
def _holders_batch(terms: int, other: bool, after: bool, include_restricted: bool):
    """The customers (LISTED) of the next batch of holders in name order that match the terms,
    and the batch's last holder in any case, where the next batch starts; each row with the
    batch's size (`held`). Built once per shape: see _through_pieces."""
    held, also = aliased(CustomerGram, name="held"), aliased(CustomerGram, name="also")
    anchor = tuple_(bindparam("after_name", type_=String), bindparam("after_id", type_=Integer))
    order = (held.sort_name, held.customer_id)
    holders = select(held.sort_name.label("held_name"), held.customer_id.label("held_id")).where(
        held.account_id == bindparam("account_id"), held.gram == bindparam("rarest", type_=String)
    )
    if after:
        holders = holders.where(tuple_(held.sort_name, held.customer_id) > anchor)
    if other:
        holds_too = select(also.customer_id).where(
            also.account_id == bindparam("account_id"),
            also.gram == bindparam("other", type_=String),
            also.sort_name == held.sort_name,
            also.customer_id == held.customer_id,
        )
        if after:  # the merge starts where the batch does, on both sides
            holds_too = holds_too.where(tuple_(also.sort_name, also.customer_id) > anchor)
        holders = holders.where(holds_too.exists())
    limited = holders.order_by(*order).limit(bindparam("batch", type_=Integer)).subquery("limited")
    in_order = (limited.c.held_name, limited.c.held_id)
    batch = select(
        *in_order,
        func.row_number().over(order_by=in_order).label("position"),
        func.count().over().label("held"),  # counted after the limit, not over all holders
    ).subquery("batch")
    matches = [
        Customer.id == batch.c.held_id,
        Customer.account_id == bindparam("account_id"),
        # strpos, not LIKE: a prepared statement's generic plan would read a LIKE through
        # pg_trgm's index over the whole salon (100 ms).
        *(func.strpos(Customer.search_text, bindparam(f"term_{n}", type_=String)) > 0 for n in range(terms)),
    ]
    if not include_restricted:
        matches.append(Customer.restricted_at.is_(None))
    return (
        select(batch.c.held_name, batch.c.held_id, batch.c.held, *LISTED)
        .select_from(batch)
        .outerjoin(Customer, and_(*matches))
        # Rows that match only: a row costs the page more than a customer read by number.
        .where(or_(Customer.id.is_not(None), batch.c.position == batch.c.held))
        .order_by(batch.c.held_name, batch.c.held_id)
    )


# A piece's count only decides which piece is read first, never what is found, and changes
# slowly: each process keeps it a few minutes (typing a name asks for the same pieces keystroke
# after keystroke; counting them was a quarter of a search).
HOLDERS_SECONDS = 300
HOLDERS_KEPT = 4096
_holder_counts: dict[tuple[int, str], tuple[float, int]] = {}


def _holders(account_id: int, piece: str) -> int:
    """How many customers hold a piece, counted no further than COUNTED: pieces held that
    often are all common, and any of them fills a page soon."""
    now = time.monotonic()
    kept = _holder_counts.get((account_id, piece))
    if kept is not None and kept[0] > now:
        return kept[1]
    held = (
        select(CustomerGram.customer_id)
        .where(CustomerGram.account_id == account_id, CustomerGram.gram == piece)
        .limit(COUNTED)
    )
    count = db.session.scalar(select(func.count()).select_from(held.subquery()))
    if len(_holder_counts) >= HOLDERS_KEPT:
        _holder_counts.clear()
    _holder_counts[(account_id, piece)] = (now + HOLDERS_SECONDS, count)
    return count


def search_customers(
    account_id: int, query: str, after_id: int | None, limit: int, include_restricted: bool = False
) -> SearchPage:
    """One page of customers in name order. Keyset (after the last row shown), never OFFSET,
    and no COUNT: both stay fast at 100,000 customers. Restricted customers (Art. 18) are left
    out unless asked for."""
    after = None  # (sort name, number) of the last customer shown
    if after_id:
        anchor = db.session.execute(_ANCHOR, {"account_id": account_id, "id": after_id}).one_or_none()
        if anchor is not None:
            after = tuple(anchor)
    terms = search_terms(query)
    if terms:
        rows = _page(include_restricted, terms, account_id, limit, after)
    else:
        values = {"account_id": account_id, "limit": limit + 1}
        if after is not None:
            values["after_name"], values["after_id"] = after
        rows = plain_rows(db.session.execute(_name_order(include_restricted, after is not None), values))
    more = len(rows) > limit
    rows = rows[:limit]
    return SearchPage(rows, rows[-1].id if more and rows else None)
