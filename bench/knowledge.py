"""Knowledge benchmark: ingestion and search against the raw embedder and raw Chroma, on the same data, in one run.

    .venv/bin/python bench/knowledge.py                  # 10k one-chunk documents (a few minutes on 2 cores)
    .venv/bin/python bench/knowledge.py --chunks 100000  # the big one

Targets: ingestion >= 0.9x the raw embedder's docs/s; search p50/p99 <= 1.2x raw embed-then-query latency.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import chromadb
from chromadb.config import Settings

from bifrost_mcp.knowledge import KnowledgeStore, MiniLMEmbedder, ingest
from bifrost_mcp.knowledge.view import KnowledgeView

SUBJECTS = [
    "The VPN client",
    "Outlook",
    "The office printer",
    "A new laptop",
    "The backup job",
    "Teams",
    "The file share",
    "BitLocker",
    "The guest Wi-Fi",
    "Intune",
    "The firewall",
    "Windows Update",
    "The service desk",
    "OneDrive",
]
PROBLEMS = [
    "fails to connect after the latest update",
    "asks for credentials every few minutes",
    "shows an error code when the user signs in",
    "runs slowly on the third floor",
    "needs approval from the department head",
    "must be configured before the first working day",
    "is replicated offsite every night",
    "locks the account after five wrong attempts",
]
FIXES = [
    "Restart the device and sign in again.",
    "Open a ticket with the service desk and attach a screenshot.",
    "Reinstall it from the software center.",
    "Check the group policy assignment for the user.",
    "Clear the cached credentials in the credential manager.",
    "Escalate to the network team as a P2 incident.",
    "Verify the licence in the Microsoft 365 admin center.",
    "Confirm the recovery key in Entra ID.",
]


BATCH = 256  # = ingest's batch, so both sides sort texts by length within the same groups
ROUND = 1024  # documents per measuring round (ingest pipelines its four batches); short rounds dodge load bursts


def corpus(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)}." for _ in range(rng.randint(1, 3))]
        sentences += rng.sample(FIXES, rng.randint(1, 3))
        docs.append(f"Article {i}. " + " ".join(sentences))
    return docs


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=10_000, help="documents to ingest (each is one chunk)")
    parser.add_argument("--queries", type=int, default=1000, help="search queries per side (p99 needs many)")
    args = parser.parse_args()
    docs = corpus(args.chunks)
    queries = [f"{random.Random(i).choice(SUBJECTS)} {random.Random(-i).choice(PROBLEMS)}" for i in range(args.queries)]
    embedder = MiniLMEmbedder()
    embedder.load()
    await embedder.embed(["warm up"] * 64)
    work = Path(tempfile.mkdtemp(prefix="bench-knowledge-"))
    sys.stderr.write(f"{len(docs)} documents, mean {statistics.mean(map(len, docs)):.0f} chars, data in {work}\n")

    raw = chromadb.PersistentClient(path=str(work / "raw"), settings=Settings(anonymized_telemetry=False))
    collection = raw.create_collection("raw", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    store = KnowledgeStore.open(work / "store", embedder)
    service = KnowledgeView(store, "org-bench")
    raw_embed_s = raw_chroma_s = ingest_s = 0.0
    round_ratios = []

    async def raw_side(start: int, round_docs: list[str]) -> tuple[float, float]:
        began = time.perf_counter()
        vectors = [v for i in range(0, len(round_docs), BATCH) for v in await embedder.embed(round_docs[i : i + BATCH])]
        embedded = time.perf_counter()
        for i in range(0, len(round_docs), BATCH):
            ids = [str(start + j) for j in range(i, min(i + BATCH, len(round_docs)))]
            collection.add(ids=ids, embeddings=vectors[i : i + BATCH], documents=round_docs[i : i + BATCH])
        return embedded - began, time.perf_counter() - embedded

    async def ingest_side(folder: Path, expected: int) -> float:
        began = time.perf_counter()
        summary = await ingest([folder], "bench", service)
        assert len(summary.added) == expected, summary
        return time.perf_counter() - began

    # round by round on the same documents, alternating which side goes first (the first to meet new batch
    # shapes pays onnxruntime's allocations), so a busy neighbour on the machine slows both sides alike
    for number, start in enumerate(range(0, len(docs), ROUND)):
        round_docs = docs[start : start + ROUND]
        folder = work / "files" / f"{start:07d}"
        folder.mkdir(parents=True)
        for i, doc in enumerate(round_docs, start):
            (folder / f"{i:07d}.md").write_text(doc, encoding="utf-8")
        if number % 2:
            round_ingest_s = await ingest_side(folder, len(round_docs))
            round_embed_s, round_chroma_s = await raw_side(start, round_docs)
        else:
            round_embed_s, round_chroma_s = await raw_side(start, round_docs)
            round_ingest_s = await ingest_side(folder, len(round_docs))
        raw_embed_s += round_embed_s
        raw_chroma_s += round_chroma_s
        ingest_s += round_ingest_s
        round_ratios.append(round_embed_s / round_ingest_s)
        sys.stderr.write(f"\r{start + len(round_docs)}/{len(docs)} documents")
    sys.stderr.write("\n")

    raw_latency, chroma_latency, service_latency = [], [], []
    for n, query in enumerate(queries):  # interleaved, alternating who goes first
        for side in (0, 1) if n % 2 else (1, 0):
            began = time.perf_counter()
            if side == 0:
                (vector,) = await embedder.embed([query])
                embedded = time.perf_counter()
                collection.query(query_embeddings=[vector], n_results=5)
                raw_latency.append(time.perf_counter() - began)
                chroma_latency.append(time.perf_counter() - embedded)
            else:
                await service.search(query, ["bench"], 5, None, None, True)
                service_latency.append(time.perf_counter() - began)
    await store.aclose()
    raw.close()

    n = len(docs)
    rows = [
        ("raw embedder", f"{n / raw_embed_s:8.1f} docs/s", ""),
        ("raw chroma add", f"{n / raw_chroma_s:8.1f} docs/s", ""),
        (
            "ingest()",
            f"{n / ingest_s:8.1f} docs/s",
            f"{raw_embed_s / ingest_s:.2f}x raw embedder overall, median round {statistics.median(round_ratios):.2f}x"
            " (target >= 0.9)",
        ),
    ]
    for name, q in (("p50", 0.5), ("p99", 0.99)):
        raw_ms, ours_ms = percentile(raw_latency, q) * 1000, percentile(service_latency, q) * 1000
        rows.append((f"raw chroma {name}", f"{percentile(chroma_latency, q) * 1000:8.1f} ms", "query alone"))
        rows.append(
            (f"search {name}", f"{ours_ms:8.1f} ms", f"{ours_ms / raw_ms:.2f}x raw embed+query {raw_ms:.1f} ms")
        )
    print(f"knowledge bench: {n} chunks, {len(queries)} queries, {Path(sys.executable).name}")
    for name, value, ratio in rows:
        print(f"  {name:<16}{value:>18}   {ratio}")


if __name__ == "__main__":
    asyncio.run(main())
