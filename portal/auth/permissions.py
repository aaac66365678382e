"""Roles x permissions: the one place that says who may do what."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    STAFF = "staff"
    ACCOUNTANT = "accountant"


ROLE_LABELS = {
    Role.OWNER: _l("Owner"),
    Role.ADMIN: _l("Administrator"),
    Role.STAFF: _l("Staff (daily business)"),
    Role.ACCOUNTANT: _l("Accountant (read-only)"),
}


class Permission(StrEnum):
    # Own session and preferences; every login has it, even the read-only accountant.
    SELF = "self"
    DASHBOARD_VIEW = "dashboard.view"
    CUSTOMER_VIEW = "customer.view"
    CUSTOMER_EDIT = "customer.edit"
    # Notes, the salon's own fields (colour recipes) and consents: the daily work's, not the books'.
    CUSTOMER_DETAILS = "customer.details"
    INVOICE_VIEW = "invoice.view"
    APPOINTMENT_VIEW = "appointment.view"
    APPOINTMENT_EDIT = "appointment.edit"
    # The change history inside one customer file (and its appointments).
    CUSTOMER_HISTORY = "customer.history"
    # The salon-wide logs: appointments, customers, settings, logins.
    HISTORY_VIEW = "history.view"
    # Who opened which customer file: the owner's oversight of the team.
    ACCESS_LOG_VIEW = "history.access"
    LOGIN_HISTORY_EXPORT = "history.login_export"
    SETTINGS_MANAGE = "settings.manage"
    TEAM_MANAGE = "team.manage"
    PRIVACY_REQUESTS = "privacy.requests"
    PRIVACY_SETTINGS_VIEW = "privacy.settings.view"
    # Invoices kept after an erasure (§ 147 AO): the owner and the accountant only.
    RETAINED_RECORDS_VIEW = "privacy.retained"
    PRIVACY_SETTINGS_EDIT = "privacy.settings.edit"
    CUSTOMER_EXPORT = "customer.export"
    # Customers from the previous software (an import can add thousands at once).
    CUSTOMER_IMPORT = "customer.import"
    MARKETING_MANAGE = "marketing.manage"
    # The till: check out visits and walk-ins (the invoice follows).
    CHECKOUT = "checkout.use"
    # Storno: correct an invoice by a cancellation invoice.
    INVOICE_CANCEL = "invoice.cancel"
    CASHBOOK_VIEW = "cashbook.view"
    VOUCHER_VIEW = "voucher.view"
    # Create vouchers without a sale, pay out or void a remaining value.
    VOUCHER_MANAGE = "voucher.manage"
    # Art. 9 GDPR: the health answers of signed forms (allergies, medication). The owner has
    # it; an owner grants it to admins or staff who treat; the accountant never.
    HEALTH_READ = "health.read"
    # Einstellungen → Formulare: the intake and treatment forms.
    FORMS_MANAGE = "forms.manage"


PERMISSION_LABELS = {
    Permission.SELF: _l("Own profile and session"),
    Permission.DASHBOARD_VIEW: _l("See the overview"),
    Permission.CUSTOMER_VIEW: _l("Read the customer file"),
    Permission.CUSTOMER_EDIT: _l("Change the customer file"),
    Permission.CUSTOMER_DETAILS: _l("See notes, own fields and consents in the customer file"),
    Permission.INVOICE_VIEW: _l("Read invoices and retained records"),
    Permission.APPOINTMENT_VIEW: _l("See appointments"),
    Permission.APPOINTMENT_EDIT: _l("Book, move and cancel appointments"),
    Permission.CUSTOMER_HISTORY: _l("Read a customer's change history"),
    Permission.HISTORY_VIEW: _l("Read the salon's histories"),
    Permission.ACCESS_LOG_VIEW: _l("See who opened which customer file"),
    Permission.LOGIN_HISTORY_EXPORT: _l("Export login histories"),
    Permission.SETTINGS_MANAGE: _l("Change settings"),
    Permission.TEAM_MANAGE: _l("Manage logins and employees"),
    Permission.PRIVACY_REQUESTS: _l("Handle privacy requests"),
    Permission.PRIVACY_SETTINGS_VIEW: _l("Read the privacy settings"),
    Permission.RETAINED_RECORDS_VIEW: _l("Read retained records of erased customers"),
    Permission.PRIVACY_SETTINGS_EDIT: _l("Change the privacy settings"),
    Permission.CUSTOMER_EXPORT: _l("Export all customers"),
    Permission.CUSTOMER_IMPORT: _l("Import customers"),
    Permission.MARKETING_MANAGE: _l("Send campaigns and manage messages"),
    Permission.CHECKOUT: _l("Check out visits and sales"),
    Permission.INVOICE_CANCEL: _l("Cancel invoices (cancellation invoice)"),
    Permission.CASHBOOK_VIEW: _l("Read the cash book"),
    Permission.VOUCHER_VIEW: _l("See vouchers"),
    Permission.VOUCHER_MANAGE: _l("Create, pay out and void vouchers"),
    Permission.HEALTH_READ: _l("Read health data (answers on signed forms, Art. 9 GDPR)"),
    Permission.FORMS_MANAGE: _l("Design the intake and treatment forms"),
}

# Permissions that only read; the accountant role may hold nothing else.
READ_ONLY = frozenset(
    {
        Permission.SELF,
        Permission.DASHBOARD_VIEW,
        Permission.CUSTOMER_VIEW,
        Permission.INVOICE_VIEW,
        Permission.APPOINTMENT_VIEW,
        Permission.CUSTOMER_HISTORY,
        Permission.HISTORY_VIEW,
        Permission.PRIVACY_SETTINGS_VIEW,
        Permission.RETAINED_RECORDS_VIEW,
        Permission.CASHBOOK_VIEW,
        Permission.VOUCHER_VIEW,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(
        {
            Permission.SELF,
            Permission.DASHBOARD_VIEW,
            Permission.CUSTOMER_VIEW,
            Permission.CUSTOMER_EDIT,
            Permission.CUSTOMER_DETAILS,
            Permission.INVOICE_VIEW,
            Permission.APPOINTMENT_VIEW,
            Permission.APPOINTMENT_EDIT,
            Permission.CUSTOMER_HISTORY,
            Permission.SETTINGS_MANAGE,
            Permission.FORMS_MANAGE,
            Permission.PRIVACY_REQUESTS,
            Permission.MARKETING_MANAGE,
            Permission.CHECKOUT,
            Permission.INVOICE_CANCEL,
            Permission.CASHBOOK_VIEW,
            Permission.VOUCHER_VIEW,
            Permission.VOUCHER_MANAGE,
        }
    ),
    Role.STAFF: frozenset(
        {
            Permission.SELF,
            Permission.DASHBOARD_VIEW,
            Permission.CUSTOMER_VIEW,
            Permission.CUSTOMER_EDIT,
            Permission.CUSTOMER_DETAILS,
            Permission.APPOINTMENT_VIEW,
            Permission.APPOINTMENT_EDIT,
            Permission.CUSTOMER_HISTORY,
            # The till is daily business: staff hand out the invoice they made.
            Permission.CHECKOUT,
            Permission.INVOICE_VIEW,
            Permission.VOUCHER_VIEW,
        }
    ),
    Role.ACCOUNTANT: READ_ONLY,
}

# What an owner may grant an admin on top of the role (the seed: export only "with rights").
GRANTABLE_TO_ADMIN = (
    Permission.CUSTOMER_EXPORT,
    Permission.CUSTOMER_IMPORT,
    Permission.TEAM_MANAGE,
    Permission.HISTORY_VIEW,
    Permission.PRIVACY_SETTINGS_EDIT,
)

# What an owner may grant a staff login: therapists who treat need the allergies.
GRANTABLE_TO_STAFF = (Permission.HEALTH_READ,)
GRANTABLE = {Role.ADMIN: (*GRANTABLE_TO_ADMIN, Permission.HEALTH_READ), Role.STAFF: GRANTABLE_TO_STAFF}

# A grant that brings another permission with it.
IMPLIED = {Permission.PRIVACY_SETTINGS_EDIT: frozenset({Permission.PRIVACY_SETTINGS_VIEW})}

# Any of these opens the Settings hub.
SETTINGS_PERMISSIONS = (
    Permission.TEAM_MANAGE,
    Permission.SETTINGS_MANAGE,
    Permission.PRIVACY_SETTINGS_VIEW,
    Permission.RETAINED_RECORDS_VIEW,
    Permission.CUSTOMER_EXPORT,
    Permission.FORMS_MANAGE,
)

# Roles whose logins count as "administrative rights" (export recipients, notifications).
ADMINISTRATIVE_ROLES = (Role.OWNER, Role.ADMIN)


def permissions_for(role: str, extra: list[str] | None = None) -> frozenset[Permission]:
    return _permissions_for(role, tuple(extra or ()))


@lru_cache(maxsize=256)
def _permissions_for(role: str, extra: tuple[str, ...]) -> frozenset[Permission]:
    """Roles and grants are few: computed once per combination (a page asks dozens of times)."""
    try:
        base = ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()
    grantable = {g.value for g in GRANTABLE.get(Role(role), ())}
    if extra and grantable:
        base = base | {Permission(p) for p in extra if p in grantable}
    implied = set()
    for permission in base:
        implied |= IMPLIED.get(permission, frozenset())
    return base | implied


def has_permission(login, permission: Permission) -> bool:
    if login is None or not getattr(login, "is_authenticated", False):
        return False
    return permission in permissions_for(login.role, login.extra_permissions)
