"""A small ctypes wrapper over the crm C ABI (libcrm.so / include/crm.h).

    from crm import Crm, CrmError, user, system

    with Crm("crm.db") as crm:                      # or ":memory:", or a postgres:// URL
        crm.tenant("setup", {"name": "Acme"})       # the default actor: system of tenant 1
        crm.customer("create", {"name": "Acme Co", "owner_id": 7})
        crm.customer("list", {}, actor=user(1, 7))  # as user 7
        for event in crm.events_after(0, 100):
            ...

One method per op family (tenant, org, customer, contact, followup, team, pool, tier, ticket,
sla, opportunity, contract, receivable, report, events, audit, due_work, meta) runs
`family.verb` through `crm_call`; requests and responses are
plain dicts and lists (amounts as decimal strings, times as RFC 3339 UTC strings). Failures
raise CrmError with the status code, kind, message, and the offending field or rule.

The library is found through the environment variable CRM_LIB (a path to libcrm.so), or in
the workspace's target/{debug,release}/.
"""

import ctypes
import json
import os

__all__ = ["Crm", "CrmError", "user", "system", "load_library"]


def user(tenant, user_id):
    """The actor for a user of a tenant."""
    return {"type": "user", "tenant": tenant, "user": user_id}


def system(tenant):
    """The tenant's system actor (full rights inside its own tenant)."""
    return {"type": "system", "tenant": tenant}


class CrmError(Exception):
    """A failed call: `code` (the crm_status), `kind`, `message`, and when given `field`,
    `rule` and the rest of the error object in `details`."""

    def __init__(self, details):
        self.details = details
        self.code = details.get("code")
        self.kind = details.get("kind")
        self.message = details.get("message")
        self.field = details.get("field")
        self.rule = details.get("rule")
        super().__init__(f"{self.kind} ({self.code}): {self.message}")


def _candidates():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    for profile in ("debug", "release"):
        yield os.path.join(target, profile, "libcrm.so")


def load_library(path=None):
    """Loads libcrm and declares the signatures of its functions."""
    path = path or os.environ.get("CRM_LIB")
    if not path:
        path = next((p for p in _candidates() if os.path.exists(p)), None)
    if not path:
        raise OSError("libcrm.so not found: build it (cargo build -p crm-ffi) or set CRM_LIB")
    lib = ctypes.CDLL(path)
    out = ctypes.POINTER(ctypes.c_void_p)
    lib.crm_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, out, out]
    lib.crm_open.restype = ctypes.c_int
    lib.crm_close.argtypes = [ctypes.c_void_p]
    lib.crm_close.restype = None
    lib.crm_call.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, out, out]
    lib.crm_call.restype = ctypes.c_int
    lib.crm_events_after.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64, ctypes.c_uint32, out, out]
    lib.crm_events_after.restype = ctypes.c_int
    lib.crm_string_free.argtypes = [ctypes.c_void_p]
    lib.crm_string_free.restype = None
    lib.crm_status_str.argtypes = [ctypes.c_int]
    lib.crm_status_str.restype = ctypes.c_char_p
    lib.crm_version.argtypes = []
    lib.crm_version.restype = ctypes.c_char_p
    return lib


def _encode(value):
    return None if value is None else json.dumps(value, ensure_ascii=False).encode("utf-8")


class Crm:
    """One open database. Thread-safe, like the handle it wraps; close it once (or use it as a
    context manager)."""

    def __init__(self, url=":memory:", options=None, actor=None, library=None):
        self._lib = library or load_library()
        self.actor = actor or system(1)
        self._db = ctypes.c_void_p()
        error = ctypes.c_void_p()
        status = self._lib.crm_open(url.encode("utf-8"), _encode(options), ctypes.byref(self._db), ctypes.byref(error))
        if status != 0:
            raise CrmError(self._take(error))

    def _take(self, pointer):
        """Reads and frees a string the library handed over."""
        try:
            return json.loads(ctypes.string_at(pointer.value).decode("utf-8"))
        finally:
            self._lib.crm_string_free(pointer)

    def _finish(self, status, response, error):
        if status != 0:
            if error.value:
                raise CrmError(self._take(error))
            raise CrmError({"code": status, "kind": "unknown", "message": self.status_text(status)})
        return self._take(response)

    def call(self, op, request=None, actor=None):
        """Runs any op by name and returns its decoded response."""
        if not self._db:
            raise ValueError("the database is closed")
        response, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.crm_call(self._db, _encode(actor or self.actor), op.encode("utf-8"), _encode(request),
                                    ctypes.byref(response), ctypes.byref(error))
        return self._finish(status, response, error)

    def events_after(self, cursor=0, limit=100, actor=None):
        """Events with seq > cursor, oldest first (crm_events_after)."""
        response, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = self._lib.crm_events_after(self._db, _encode(actor or self.actor), cursor, limit,
                                            ctypes.byref(response), ctypes.byref(error))
        return self._finish(status, response, error)

    # One method per op family: `crm.customer("create", {...})` runs "customer.create".
    def tenant(self, verb, request=None, actor=None):
        return self.call("tenant." + verb, request, actor)

    def org(self, verb, request=None, actor=None):
        return self.call("org." + verb, request, actor)

    def customer(self, verb, request=None, actor=None):
        return self.call("customer." + verb, request, actor)

    def lead(self, verb, request=None, actor=None):
        return self.call("lead." + verb, request, actor)

    def assignment(self, verb, request=None, actor=None):
        return self.call("assignment." + verb, request, actor)

    def contact(self, verb, request=None, actor=None):
        return self.call("contact." + verb, request, actor)

    def followup(self, verb, request=None, actor=None):
        return self.call("followup." + verb, request, actor)

    def team(self, verb, request=None, actor=None):
        return self.call("team." + verb, request, actor)

    def pool(self, verb, request=None, actor=None):
        return self.call("pool." + verb, request, actor)

    def tier(self, verb, request=None, actor=None):
        return self.call("tier." + verb, request, actor)

    def ticket(self, verb, request=None, actor=None):
        return self.call("ticket." + verb, request, actor)

    def sla(self, verb, request=None, actor=None):
        return self.call("sla." + verb, request, actor)

    def opportunity(self, verb, request=None, actor=None):
        return self.call("opportunity." + verb, request, actor)

    def contract(self, verb, request=None, actor=None):
        return self.call("contract." + verb, request, actor)

    def receivable(self, verb, request=None, actor=None):
        return self.call("receivable." + verb, request, actor)

    def report(self, verb="sales", request=None, actor=None):
        return self.call("report." + verb, request, actor)

    def events(self, verb="after", request=None, actor=None):
        return self.call("events." + verb, request, actor)

    def audit(self, verb, request=None, actor=None):
        return self.call("audit." + verb, request, actor)

    def due_work(self, verb="run", request=None, actor=None):
        return self.call("due_work." + verb, request, actor)

    def task(self, verb, request=None, actor=None):
        return self.call("task." + verb, request, actor)

    def visit(self, verb, request=None, actor=None):
        return self.call("visit." + verb, request, actor)

    def calendar(self, verb, request=None, actor=None):
        return self.call("calendar." + verb, request, actor)

    def target(self, verb, request=None, actor=None):
        return self.call("target." + verb, request, actor)

    def meta(self, verb="ops"):
        return self.call("meta." + verb, None, None)

    def status_text(self, code):
        return self._lib.crm_status_str(code).decode("utf-8")

    @property
    def version(self):
        return self._lib.crm_version().decode("utf-8")

    def close(self):
        if self._db:
            self._lib.crm_close(self._db)
            self._db = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
