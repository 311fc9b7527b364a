from __future__ import annotations

import json
from pathlib import Path

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.knowledge import KnowledgeStore, MiniLMEmbedder, UnknownNamespaceError
from bifrost_mcp.knowledge.view import KnowledgeView

CORPUS = json.loads((Path(__file__).parent / "data" / "msp_corpus.json").read_text(encoding="utf-8"))


async def test_paraphrased_questions_find_their_answer_in_the_top_three(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store_many(CORPUS["documents"], "it")
    misses = []
    for question in CORPUS["questions"]:
        results = await service.search(question["q"], ["it"], 3, None, None, True)
        if question["answer"] not in [r.key for r in results]:
            misses.append((question["q"], [r.key for r in results]))
    recall = 1 - len(misses) / len(CORPUS["questions"])
    assert recall >= 0.9, f"recall@3 {recall:.2f}; misses: {misses}"


async def test_results_are_one_per_document_best_first_with_the_best_passage(
    small_chunk_store: KnowledgeStore,
) -> None:
    service = KnowledgeView(small_chunk_store, "org-a")
    printers = "\n\n".join(
        [f"Floor {i} has printer queue PRN-{i}F for paper output." for i in range(1, 8)]
        + ["To add a printer manually open Settings, Devices, Printers and scanners, then choose Add device."]
    )
    await service.store(printers, "it", "printers", None)
    await service.store("Backups run every night at two.", "it", "backup", None)
    await service.store("Reset your password in the self-service portal.", "it", "password", None)
    results = await service.search("how do I add a printer by hand", ["it"], 3, None, None, True)
    assert results[0].key == "printers" and len({r.key for r in results}) == len(results) == 3
    assert "Add device" in results[0].content
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True) and all(s is not None and -1 <= s <= 1 for s in scores)


async def test_limit_and_min_score_cut_the_results(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store_many(CORPUS["documents"], "it")
    assert len(await service.search("printer", ["it"], 2, None, None, True)) == 2
    everything = await service.search("printer", ["it"], 50, None, None, True)
    assert len(everything) == len(CORPUS["documents"])
    threshold = everything[3].score
    assert threshold is not None
    above = await service.search("printer", ["it"], 50, threshold, None, True)
    assert [r.key for r in above] == [r.key for r in everything[:4]]


async def test_metadata_filter_keeps_only_matching_documents(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store_many(
        [
            {"content": "VPN for the Paris office.", "key": "paris", "metadata": {"site": "paris", "year": 2023}},
            {"content": "VPN for the Oslo office.", "key": "oslo", "metadata": {"site": "oslo", "year": 2025}},
            {"content": "VPN for the Rome office.", "key": "rome", "metadata": {"site": "rome", "year": 2024}},
        ],
        "it",
    )
    by_site = await service.search("vpn", ["it"], 5, None, {"site": "oslo"}, True)
    by_year = await service.search("vpn", ["it"], 5, None, {"year": {"$gte": 2024}}, True)
    by_list = await service.search("vpn", ["it"], 5, None, {"site": {"$in": ["paris", "rome"]}, "year": 2023}, True)
    assert [r.key for r in by_site] == ["oslo"]
    assert sorted(r.key for r in by_year) == ["oslo", "rome"]
    assert [r.key for r in by_list] == ["paris"]
    assert by_site[0].metadata == {"site": "oslo", "year": 2025}


async def test_several_namespaces_are_searched_together(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store("Printers map by floor.", "it", "printers", None)
    await service.store("Holidays are booked in the HR portal.", "hr", "holidays", None)
    results = await service.search("where do I book vacation", ["it", "hr"], 2, None, None, True)
    assert (results[0].namespace, results[0].key) == ("hr", "holidays") and len(results) == 2


@pytest.mark.parametrize("query", ["", "   \n"])
async def test_an_empty_query_is_a_validation_error(store: KnowledgeStore, query: str) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store("Something.", "it", "k", None)
    with pytest.raises(ValidationError, match="search query is empty"):
        await service.search(query, ["it"], 5, None, None, True)
    with pytest.raises(ValueError, match="search query is empty"):
        await service.search(query, ["it"], 5, None, None, True)


async def test_searching_an_unknown_namespace_names_the_ones_that_exist(store: KnowledgeStore) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store("Something.", "policies", "k", None)
    with pytest.raises(UnknownNamespaceError, match=r"'polices'.*\['policies'\]"):
        await service.search("anything", ["polices"], 5, None, None, True)
    with pytest.raises(UnknownNamespaceError, match="nothing is stored yet"):
        await KnowledgeView(store, "org-empty").search("anything", ["policies"], 5, None, None, True)


@pytest.mark.parametrize(
    ("limit", "metadata_filter", "message"),
    [
        (0, None, "limit must be an int between 1 and 1000"),
        (5, {"$or": []}, "not an operator"),
        (5, {"site": {"$regex": "x"}}, "one operator of"),
        (5, {"site": {"$in": "paris"}}, "takes a list"),
        (5, {"site": ["paris"]}, "compares only strings, numbers and booleans"),
    ],
)
async def test_bad_search_arguments_say_what_to_fix(
    store: KnowledgeStore, limit: int, metadata_filter: dict[str, object] | None, message: str
) -> None:
    service = KnowledgeView(store, "org-a")
    await service.store("Something.", "it", "k", None)
    with pytest.raises(ValidationError, match=message):
        await service.search("q", ["it"], limit, None, metadata_filter, True)


async def test_a_namespace_rebuilt_by_another_store_is_searched_afresh(
    store: KnowledgeStore, tmp_path: Path, minilm: MiniLMEmbedder
) -> None:
    await KnowledgeView(store, "org-a").store("Printers map by floor.", "it", "printers", None)
    assert [r.key for r in await KnowledgeView(store, "org-a").search("printer", ["it"], 5, None, None, True)] == [
        "printers"
    ]
    other = KnowledgeStore.open(tmp_path / "data", minilm)  # e.g. the CLI, next to a running server
    try:
        await KnowledgeView(other, "org-a").delete_namespace("it")
        await KnowledgeView(other, "org-a").store("VPN gateway is vpn.example.com.", "it", "vpn", None)
        results = await KnowledgeView(store, "org-a").search("printer", ["it"], 5, None, None, True)
        assert [r.key for r in results] == ["vpn"]
        await KnowledgeView(other, "org-a").delete_namespace("it")
        with pytest.raises(UnknownNamespaceError):
            await KnowledgeView(store, "org-a").search("printer", ["it"], 5, None, None, True)
    finally:
        await other.aclose()
