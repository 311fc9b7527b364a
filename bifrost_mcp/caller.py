"""The authenticated caller of one request, from which every ExecutionContext and scope is derived."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bifrost.platform import GLOBAL_SCOPE, ExecutionContext
from bifrost.types import Organization


@dataclass(frozen=True, slots=True)
class Caller:
    """A user (personal token), a function key (org or GLOBAL), or the local owner."""

    user_id: str
    email: str
    name: str
    organization: Organization | None
    is_platform_admin: bool
    is_function_key: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    credential_id: str | None = None
    global_write: bool = False  # a GLOBAL function key created with --global-write (see access.writable_scope)
    is_scheduler: bool = False  # the system principal of scheduled runs (`SCHEDULER`); no credential yields it
    is_anonymous: bool = False  # nobody authenticated: a public endpoint's caller (see access.can_use)

    @property
    def org_id(self) -> str | None:
        return self.organization.id if self.organization else None

    @property
    def scope(self) -> str:
        """The caller's organization id, or GLOBAL for a platform admin (or GLOBAL key) without one."""
        return self.organization.id if self.organization else GLOBAL_SCOPE

    def acting_in(self, organization: Organization | None) -> Caller:
        """This caller acting in another organization's scope. Only the access gate calls this."""
        return replace(self, organization=organization, roles=frozenset())

    def execution_context(self, execution_id: str) -> ExecutionContext:
        return ExecutionContext(
            user_id=self.user_id,
            email=self.email,
            name=self.name,
            scope=self.scope,
            organization=self.organization,
            is_platform_admin=self.is_platform_admin,
            is_function_key=self.is_function_key,
            execution_id=execution_id,
        )


# Who a scheduled run runs as: no user and no organization, so GLOBAL scope, and not a platform admin. What it
# may run is the gate's rule (access.can_use): the workflows that declare a schedule, and nothing else.
SCHEDULER = Caller(
    user_id="scheduler", email="", name="Scheduler", organization=None, is_platform_admin=False, is_scheduler=True
)

# Whoever calls a public HTTP endpoint without credentials: GLOBAL scope, no admin rights, no roles.
ANONYMOUS = Caller(user_id="anonymous", email="", name="anonymous", organization=None, is_platform_admin=False,
                   is_anonymous=True)  # fmt: skip
