"""Workflows the agent tests give their models as tools, and the events the concurrency tests coordinate on."""

import anyio

from bifrost import UserError, config, workflow

SECRET = "sk-vendor-secret-5e1f9a2b7c"


class Signals:
    """Fresh per test (anyio events belong to one event loop)."""

    ping_arrived = anyio.Event()
    pong_arrived = anyio.Event()
    cancellable_started = anyio.Event()

    @classmethod
    def reset(cls) -> None:
        cls.ping_arrived, cls.pong_arrived, cls.cancellable_started = anyio.Event(), anyio.Event(), anyio.Event()


@workflow(is_tool=True)
async def get_ticket(id: str) -> dict:
    """Fetch a ticket by id."""
    return {"id": id, "title": "Printer jammed on floor 2"}


@workflow(is_tool=True)
async def book_seats(event: str, seats: int) -> str:
    """Book seats for an event (at most 10)."""
    if seats > 10:
        raise UserError(f"At most 10 seats per booking; {seats} were asked for.")
    return f"Booked {seats} seat(s) for {event}."


# Each of the two waits for the other to have started: they finish only when they run at the same time.
@workflow(is_tool=True)
async def ping() -> str:
    Signals.ping_arrived.set()
    with anyio.fail_after(5):
        await Signals.pong_arrived.wait()
    return "ping saw pong"


@workflow(is_tool=True)
async def pong() -> str:
    Signals.pong_arrived.set()
    with anyio.fail_after(5):
        await Signals.ping_arrived.wait()
    return "pong saw ping"


@workflow(is_tool=True)
async def runs_until_cancelled() -> None:
    Signals.cancellable_started.set()
    await anyio.sleep_forever()


@workflow(is_tool=True)
async def reads_vendor_key() -> str:
    """Show the vendor key (a careless tool: the host must redact it)."""
    return f"The vendor key is {await config.get('vendor_api_key')}"


@workflow(is_tool=True)
async def archive_mailbox(mailbox: str) -> dict:
    return {"success": False, "error": "mailbox is on litigation hold", "mailbox": mailbox}


DISABLED: list[str] = []  # what disable_account really did: proof that a denied call never ran


@workflow(is_tool=True, requires_approval=True)
async def disable_account(account: str) -> str:
    """Disable a user account (dangerous: locks the person out)."""
    DISABLED.append(account)
    return f"Disabled {account}."


ALL = [
    get_ticket,
    book_seats,
    ping,
    pong,
    runs_until_cancelled,
    reads_vendor_key,
    archive_mailbox,
    disable_account,
]
