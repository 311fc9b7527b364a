"""tables across tenants: one organization's upserts beside another's many indexes, ratios in one run.

Issue 14, finding 7: 1,760 table indexes created by one organization made another's upserts 56 times
slower, because every scope's documents shared one SQLite table and SQLite maintains, or at least tests
the partial WHERE of, every index of the table it writes to. Each scope now has a store of its own.

Three data dirs, each written through TablesView as a workflow would (one upsert per call):

- quiet: organization B alone, its `orders` table with one index;
- crowded: the same, plus organization A with --indexes indexes (16 per table; caps raised to allow it);
- own cap: B itself holding the default cap of indexes (100) on its other tables, the most a scope can
  do to its own writes.

B's --upserts upserts alternate in chunks between the data dirs so that machine noise lands on all alike.
The opcode count of B's upsert program (EXPLAIN) is printed beside each: it is what SQLite runs per write.

    .venv/bin/python bench/table_tenants.py
    .venv/bin/python bench/table_tenants.py --indexes 400 --upserts 1000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "sdk")]

from bifrost.types import Organization  # noqa: E402
from bifrost_mcp.caller import Caller  # noqa: E402
from bifrost_mcp.data.tables import MIGRATIONS, TablesView  # noqa: E402
from bifrost_mcp.data.tables.indexes import MAX_INDEXES  # noqa: E402
from bifrost_mcp.data.tables.limits import TableLimits  # noqa: E402
from bifrost_mcp.data.tables.stores import statements  # noqa: E402
from bifrost_mcp.settings import MAX_INDEXES_PER_SCOPE  # noqa: E402
from bifrost_mcp.storage.db import Database  # noqa: E402

ORG_A, ORG_B = Organization(id="org-a", name="A"), Organization(id="org-b", name="B")


def member(org: Organization) -> Caller:
    return Caller(f"user-{org.id}", f"u@{org.id}.test", "U", org, False)


class Tenancy:
    """One data dir: B's `orders`, and `indexes` more indexes held by `holder` on tables of its own."""

    def __init__(self, folder: Path, holder: Organization, indexes: int) -> None:
        self.db = Database(folder)
        self.holder, self.indexes = holder, indexes
        limits = TableLimits(max_tables=100_000, max_indexes=indexes + MAX_INDEXES)
        self.b = TablesView(self.db, member(ORG_B), limits)
        self.other = TablesView(self.db, member(holder), limits)
        self.seconds = 0.0

    async def open(self) -> None:
        folder = self.db.path.parent
        folder.mkdir()
        await self.db.open(MIGRATIONS)
        await self.b.create("orders", None, {"indexes": [["status"]]}, None, None)
        for n, start in enumerate(range(0, self.indexes, MAX_INDEXES)):
            fields = [[f"field_{k}"] for k in range(start, min(start + MAX_INDEXES, self.indexes))]
            await self.other.create(f"wide_{n}", None, {"indexes": fields}, None, None)
            await self.other.upsert(f"wide_{n}", "w", {"field_0": n}, None, None)

    async def upsert(self, ids: range) -> None:
        start = time.perf_counter()
        for n in ids:
            await self.b.upsert("orders", f"o-{n}", {"status": "open", "amount": n}, None, None)
        self.seconds += time.perf_counter() - start

    async def opcodes(self) -> int:
        program = await self.db.fetchall(
            f"EXPLAIN {statements(ORG_B.id).upsert}", ("o-0", "{}", "now", "now", ORG_B.id, "", "orders")
        )
        return len(program)


async def run(folder: Path, indexes: int, upserts: int, chunk: int) -> None:
    sides = {
        "quiet": Tenancy(folder / "quiet", ORG_A, 0),
        f"crowded (A: {indexes} indexes)": Tenancy(folder / "crowded", ORG_A, indexes),
        f"own cap (B: {MAX_INDEXES_PER_SCOPE} more)": Tenancy(folder / "own", ORG_B, MAX_INDEXES_PER_SCOPE),
    }
    for side in sides.values():
        await side.open()
    for at in range(0, upserts, chunk):
        for side in sides.values():
            await side.upsert(range(at, min(at + chunk, upserts)))
    quiet = sides["quiet"].seconds
    print(f"B's upserts: {upserts}, one per call, alternating in chunks of {chunk}")
    for label, side in sides.items():
        rate = upserts / side.seconds
        print(
            f"  {label:28} {side.seconds:7.3f} s  {rate:8.0f} upserts/s  "
            f"{side.seconds / quiet:5.2f}x quiet  upsert program {await side.opcodes():6d} opcodes"
        )
        await side.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--indexes", type=int, default=1760, help="indexes organization A creates")
    parser.add_argument("--upserts", type=int, default=2000, help="upserts organization B makes per data dir")
    parser.add_argument("--chunk", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(Path(folder), args.indexes, args.upserts, args.chunk))


if __name__ == "__main__":
    main()
