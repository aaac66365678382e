"""Small builders for test data, through the same services the app uses."""

from __future__ import annotations

from dataclasses import dataclass

from portal.auth.service import hash_secret
from portal.customers.service import create_customer
from portal.extensions import db
from portal.history.audit import Actor
from portal.models import Account, Employee, Location, Login

PASSWORD = "correct-horse-battery"
PIN = "1234"


@dataclass
class Salon:
    account: Account
    location: Location
    owner: Login
    admin: Login
    staff: Login
    accountant: Login
    employee: Employee

    def login(self, role: str) -> Login:
        return getattr(self, role)


def make_salon(name: str, slug: str) -> Salon:
    account = Account(name=name, slug=slug)
    db.session.add(account)
    db.session.flush()
    location = Location(account_id=account.id, name=f"{name} Mitte", city="Berlin")
    db.session.add(location)
    logins = {}
    for role in ("owner", "admin", "staff", "accountant"):
        logins[role] = Login(account_id=account.id, email=f"{role}@{slug}.test", name=f"{role} {name}",
                             role=role, password_hash=hash_secret(PASSWORD), extra_permissions=[],
                             locale="en")
        db.session.add(logins[role])
    employee = Employee(account_id=account.id, name=f"Employee {name}", pin_hash=hash_secret(PIN))
    db.session.add(employee)
    db.session.commit()
    return Salon(account, location, employee=employee, **logins)


def make_customer(account: Account, last_name: str = "Muster", first_name: str = "Erika", **data) -> int:
    custom = data.pop("custom", {})
    values = {"last_name": last_name, "first_name": first_name, **data}
    customer = create_customer(Actor(account.id, None), values, custom)
    db.session.commit()
    return customer.id
