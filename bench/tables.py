"""tables: insert throughput and an indexed equality query, TablesView against raw sqlite3, in one run.

Both sides get the same pre-generated documents and the same schema (MIGRATIONS, the scope's document store,
and the table's declared index on `customer_id`, a partial expression index on it), each in its own database
file with the same pragmas (WAL, synchronous=NORMAL, foreign_keys=ON). Another tenant's indexes and this
one's writes: bench/table_tenants.py.

Insert: ours is `await TablesView.insert(...)` once per document, as a workflow calls it through the
SDK (one write transaction per call on the shared aiosqlite connection, UUID id, JSON encoding, table
lookup in the INSERT, DocumentData built). Raw is a hand-written sqlite3 loop doing the least a correct
per-document insert must: UUID, json.dumps, BEGIN IMMEDIATE / INSERT with the known table id / COMMIT.
Batching many documents in one transaction would be faster on both sides, but the SDK API has no batch
insert, so per-row transactions are the like-for-like floor.

Query: `where={"customer_id": ...}` (about 20 matches of the N documents), limit 100. Ours is
`await TablesView.query(...)`; raw runs the exact two statements ours generates (COUNT + page) with
sqlite3 and json.loads the rows, i.e. the engine's floor for the same answer. Results are checked equal.

    .venv/bin/python bench/tables.py                 # 100k documents
    .venv/bin/python bench/tables.py --docs 20000 --queries 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "sdk")]

from bifrost.types import Organization  # noqa: E402
from bifrost_mcp.caller import Caller  # noqa: E402
from bifrost_mcp.data.tables import MIGRATIONS, TablesView  # noqa: E402
from bifrost_mcp.data.tables.indexes import create_index_sql  # noqa: E402
from bifrost_mcp.data.tables.query import compile_order, compile_where  # noqa: E402
from bifrost_mcp.data.tables.store import DOCUMENT_COLUMNS, filtered_from  # noqa: E402
from bifrost_mcp.data.tables.stores import create_store_sql, store_name  # noqa: E402
from bifrost_mcp.storage.db import Database  # noqa: E402

SCHEMA = {"indexes": [["customer_id"]]}
SCOPE = "org-bench"
CUSTOMERS_PER_DOC = 20  # about this many documents share a customer_id


def make_docs(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    customers = max(1, count // CUSTOMERS_PER_DOC)
    return [
        {
            "customer_id": f"c{rng.randrange(customers)}",
            "status": rng.choice(["open", "paid", "void", "draft"]),
            "amount": round(rng.uniform(1, 5000), 2),
            "due": f"2024-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
            "name": f"Order {n}",
            "tags": rng.sample(["a", "b", "c", "d"], 2),
        }
        for n in range(count)
    ]


class Ours:
    def __init__(self, folder: Path) -> None:
        self.db = Database(folder)
        caller = Caller("bench", "bench@x", "Bench", Organization(id=SCOPE, name="Bench"), False)
        self.tables = TablesView(self.db, caller)

    async def open(self) -> None:
        await self.db.open(MIGRATIONS)
        await self.tables.create("orders", None, SCHEMA, None, None)

    async def insert(self, docs: list[dict[str, Any]]) -> float:
        start = time.perf_counter()
        for data in docs:
            await self.tables.insert("orders", data, None, None, None)
        return time.perf_counter() - start

    async def query(self, customer: str) -> tuple[float, Any]:
        start = time.perf_counter()
        result = await self.tables.query("orders", {"customer_id": customer}, None, "asc", 100, 0, None, None)
        return time.perf_counter() - start, (result.total, [d.data for d in result.documents])


class Raw:
    def __init__(self, folder: Path) -> None:
        self.conn = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"):
            self.conn.execute(pragma)
        self.conn.executescript(MIGRATIONS[0].sql)
        self.store = store_name(SCOPE)
        for statement in create_store_sql(self.store):
            self.conn.execute(statement)
        self.table_id = uuid.uuid4().hex
        self.conn.execute(
            "INSERT INTO data_tables (id, name, scope, app, created_at) VALUES (?, 'orders', ?, '', ?)",
            (self.table_id, SCOPE, datetime.now(UTC).isoformat()),
        )
        self.conn.execute(create_index_sql(self.store, self.table_id, 0, ("customer_id",)))

    def insert(self, docs: list[dict[str, Any]]) -> float:
        conn, table_id = self.conn, self.table_id
        start = time.perf_counter()
        for data in docs:
            stamp = datetime.now(UTC).isoformat(timespec="microseconds")
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                f'INSERT INTO "{self.store}" (table_id, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
                (table_id, str(uuid.uuid4()), text, stamp, stamp),
            )
            conn.execute("COMMIT")
        return time.perf_counter() - start

    def sql(self, customer: str) -> tuple[str, str, list[Any]]:
        condition = compile_where({"customer_id": customer})
        filtered = filtered_from(SCOPE, self.table_id, condition.sql)
        page = f"SELECT {DOCUMENT_COLUMNS} {filtered} ORDER BY {compile_order(None, 'asc')} LIMIT ? OFFSET ?"
        return f"SELECT COUNT(*) {filtered}", page, condition.params

    def query(self, customer: str) -> tuple[float, Any]:
        count_sql, page_sql, params = self.sql(customer)
        start = time.perf_counter()
        total = self.conn.execute(count_sql, params).fetchone()[0]
        page = [json.loads(row[2]) for row in self.conn.execute(page_sql, (*params, 100, 0))]
        return time.perf_counter() - start, (total, page)

    def plan(self, customer: str) -> str:
        _, page_sql, params = self.sql(customer)
        return " | ".join(row[3] for row in self.conn.execute(f"EXPLAIN QUERY PLAN {page_sql}", (*params, 100, 0)))


async def run(folder: Path, docs: list[dict[str, Any]], customers: list[str], chunk: int) -> dict[str, Any]:
    """Alternate chunks between the two sides so that machine noise lands on both alike."""
    (folder / "ours").mkdir()
    (folder / "raw").mkdir()
    ours, raw = Ours(folder / "ours"), Raw(folder / "raw")
    await ours.open()
    times: dict[str, Any] = {"ours_insert": 0.0, "raw_insert": 0.0, "ours_query": [], "raw_query": []}
    for at in range(0, len(docs), chunk):
        times["raw_insert"] += raw.insert(docs[at : at + chunk])
        times["ours_insert"] += await ours.insert(docs[at : at + chunk])
    for customer in customers:
        raw_seconds, raw_answer = raw.query(customer)
        our_seconds, our_answer = await ours.query(customer)
        if our_answer[0] != raw_answer[0] or sorted(map(json.dumps, our_answer[1])) != sorted(
            map(json.dumps, raw_answer[1])
        ):
            raise SystemExit(f"query answers differ between ours and raw for {customer}")
        times["raw_query"].append(raw_seconds)
        times["ours_query"].append(our_seconds)
    times["plan"] = raw.plan(customers[0])
    raw.conn.close()
    await ours.db.close()
    return times


def ms(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else values[0] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--chunk", type=int, default=1000, help="documents per alternating insert chunk")
    args = parser.parse_args()
    docs = make_docs(args.docs)
    rng = random.Random(11)
    customers = [f"c{rng.randrange(max(1, args.docs // CUSTOMERS_PER_DOC))}" for _ in range(args.queries)]
    with tempfile.TemporaryDirectory() as folder:
        times = asyncio.run(run(Path(folder), docs, customers, args.chunk))
    n = len(docs)
    our_rate, raw_rate = n / times["ours_insert"], n / times["raw_insert"]
    print(f"documents: {n}, queries: {len(customers)}, matches/query: ~{n // max(1, n // CUSTOMERS_PER_DOC)}")
    print(f"plan: {times['plan']}")
    ratio = our_rate / raw_rate
    print(f"insert  ours {our_rate:9.0f} docs/s  raw {raw_rate:9.0f} docs/s  ratio {ratio:.2f}x (target >= 0.5)")
    for label, q in (("p50", 50), ("p95", 95)):
        ours_ms, raw_ms = ms(times["ours_query"], q), ms(times["raw_query"], q)
        ratio = ours_ms / raw_ms
        print(f"query {label} ours {ours_ms:7.3f} ms     raw {raw_ms:7.3f} ms     ratio {ratio:.2f}x (target <= 2 ms)")


if __name__ == "__main__":
    main()
