"""Reports as MCP content: a PNG chart a tool returns, and resources at the author's own URIs.

`ticket_chart` returns text and an image (an MCP tool result of two content blocks); the chart is a PNG drawn
with the standard library alone. `reports://weekly/summary` is a resource, `reports://tickets/{ticket_id}` a
resource template; `publish_summary` tells the clients subscribed to the summary that it changed.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

from bifrost import Image, context, resource, resources, workflow

WEEK = {"Mon": 12, "Tue": 19, "Wed": 7, "Thu": 15, "Fri": 9}
_BAR, _BACKGROUND = (52, 101, 164), (255, 255, 255)


def png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """A PNG of `width` x `height` RGB pixels, `pixel(x, y)` giving each one's colour (a tuple of 3 ints)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits per channel, RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def bar_chart(values: list[int], *, bar_width: int = 20, gap: int = 8, height: int = 100) -> bytes:
    """A bar chart of `values` (scaled to the tallest) as PNG bytes."""
    top = max(values, default=0) or 1
    width = max(1, len(values) * (bar_width + gap) + gap)

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        slot, offset = divmod(x - gap, bar_width + gap)
        if x < gap or offset >= bar_width or slot >= len(values):
            return _BACKGROUND
        return _BAR if height - y <= values[slot] * height // top else _BACKGROUND

    return png(width, height, pixel)


@workflow(is_tool=True)
async def ticket_chart(counts: dict[str, int] | None = None) -> list[str | Image]:
    """Tickets opened per day, as a bar chart.

    Args:
        counts: tickets per day (default: this week's sample).
    """
    counts = counts or WEEK
    summary = ", ".join(f"{day}: {n}" for day, n in counts.items())
    return [f"Tickets per day ({summary})", Image(data=bar_chart(list(counts.values())), mime_type="image/png")]


@resource("reports://weekly/summary", name="weekly_summary", mime_type="text/markdown")
async def weekly_summary() -> str:
    """This week's ticket summary, in Markdown."""
    lines = [f"# Weekly tickets for {context.org_name or 'all organizations'}", ""]
    lines += [f"- {day}: {n}" for day, n in WEEK.items()]
    return "\n".join([*lines, "", f"Total: {sum(WEEK.values())}"])


@resource("reports://tickets/{ticket_id}", name="ticket")
async def ticket(ticket_id: int) -> dict[str, object]:
    """One ticket, as JSON."""
    return {"id": ticket_id, "subject": f"Ticket {ticket_id}", "status": "open"}


@workflow(is_tool=True)
async def publish_summary() -> str:
    """Tell subscribed clients that the weekly summary changed (they read it again)."""
    await resources.changed("reports://weekly/summary")
    return "published"
