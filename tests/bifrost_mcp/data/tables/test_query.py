from typing import Any

import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.data.tables import TablesView
from bifrost_mcp.data.tables.query import OPERATORS, compile_order, compile_where

DOCS: dict[str, dict[str, Any]] = {
    "small": {
        "amount": 99.5,
        "name": "Acme 50% off",
        "due": "2024-04-30T23:30:00-02:00",  # 2024-05-01 01:30 UTC
        "tags": ["red", "blue"],
        "address": {"city": "Oslo"},
        "active": True,
    },
    "hundred": {
        "amount": 100,
        "name": "acme corp",
        "due": "2024-05-01",
        "tags": ["blue"],
        "address": {"city": "Bergen", "zip": "5003"},
        "active": False,
    },
    "big": {
        "amount": 1200,
        "name": "ÉCOLE Müller",
        "due": "2024-05-01T10:00:00Z",
        "tags": [],
        "address": {},
        "active": True,
    },
    "text": {"amount": "150", "name": "Zed_under", "due": "not a date", "tags": "blue-ish", "active": 1},
    "bare": {},
    "nulls": {"amount": None, "name": None, "due": None},
}


@pytest.fixture
async def tables(tables_a: TablesView) -> TablesView:
    for doc_id, data in DOCS.items():
        await tables_a.insert("items", data, doc_id, None, None)
    return tables_a


async def matching(tables: TablesView, where: dict[str, Any]) -> list[str]:
    result = await tables.query("items", where, None, "asc", 1000, 0, None, None)
    assert result.total == len(result.documents) == await tables.count("items", where, None, None)
    return sorted(doc.id for doc in result.documents)


async def ordered(tables: TablesView, order_by: str | None, order_dir: str = "asc") -> list[str]:
    result = await tables.query("items", None, order_by, order_dir, 1000, 0, None, None)
    return [doc.id for doc in result.documents]


async def test_equality_matches_strings_exactly(tables: TablesView) -> None:
    assert await matching(tables, {"name": "acme corp"}) == ["hundred"]
    assert await matching(tables, {"name": "ACME CORP"}) == []


async def test_equality_on_a_number_matches_numbers_only_not_numeric_strings_or_bools(tables: TablesView) -> None:
    assert await matching(tables, {"amount": 100}) == ["hundred"]
    assert await matching(tables, {"amount": 100.0}) == ["hundred"]
    assert await matching(tables, {"amount": 150}) == []
    assert await matching(tables, {"active": 1}) == ["text"]


async def test_equality_on_a_bool_matches_json_booleans_only(tables: TablesView) -> None:
    assert await matching(tables, {"active": True}) == ["big", "small"]
    assert await matching(tables, {"active": False}) == ["hundred"]


async def test_equality_with_none_matches_null_and_missing_fields(tables: TablesView) -> None:
    assert await matching(tables, {"amount": None}) == ["bare", "nulls"]


async def test_numbers_compare_as_numbers_with_ints_and_floats_mixed(tables: TablesView) -> None:
    assert await matching(tables, {"amount": {"gt": 99.5}}) == ["big", "hundred"]
    assert await matching(tables, {"amount": {"gte": 99.5, "lt": 1200}}) == ["hundred", "small"]
    assert await matching(tables, {"amount": {"lte": 100}}) == ["hundred", "small"]
    assert await matching(tables, {"amount": {"gt": 99.9}}) == ["big", "hundred"]
    assert await matching(tables, {"amount": {"lt": 1000.5}}) == ["hundred", "small"]


async def test_iso_dates_compare_as_instants_honouring_z_and_offsets(tables: TablesView) -> None:
    assert await matching(tables, {"due": {"gt": "2024-05-01"}}) == ["big", "small"]
    assert await matching(tables, {"due": {"gte": "2024-05-01T00:00:00Z"}}) == ["big", "hundred", "small"]
    assert await matching(tables, {"due": {"lt": "2024-05-01T05:00:00+02:00"}}) == ["hundred", "small"]
    assert await matching(tables, {"due": {"lte": "2024-05-01T10:00:00.000Z"}}) == ["big", "hundred", "small"]
    assert await matching(tables, {"due": {"lt": "2024-05-01T10:00"}}) == ["hundred", "small"]


async def test_a_date_comparison_ignores_non_date_strings(tables: TablesView) -> None:
    await tables.insert("items", {"due": "now"}, "now-text", None, None)
    await tables.insert("items", {"due": "2460431"}, "julian-text", None, None)
    assert await matching(tables, {"due": {"lt": "9999-12-31"}}) == ["big", "hundred", "small"]


async def test_a_non_date_string_operand_compares_strings_by_code_point(tables: TablesView) -> None:
    assert await matching(tables, {"name": {"gte": "a"}}) == ["big", "hundred"]


async def test_like_is_case_sensitive_with_percent_and_underscore_wildcards(tables: TablesView) -> None:
    assert await matching(tables, {"name": {"like": "Acme%"}}) == ["small"]
    assert await matching(tables, {"name": {"like": "acme%"}}) == ["hundred"]
    assert await matching(tables, {"name": {"like": "Acme __%"}}) == ["small"]
    assert await matching(tables, {"name": {"like": "Zed_under"}}) == ["text"]


async def test_like_treats_glob_characters_literally(tables: TablesView) -> None:
    await tables.insert("items", {"name": "a*b?[c]"}, "globby", None, None)
    assert await matching(tables, {"name": {"like": "Zed?under"}}) == []
    assert await matching(tables, {"name": {"like": "a*b?[c]"}}) == ["globby"]
    assert await matching(tables, {"name": {"like": "a*%"}}) == ["globby"]


async def test_ilike_ignores_case_including_non_ascii_letters(tables: TablesView) -> None:
    assert await matching(tables, {"name": {"ilike": "ACME%"}}) == ["hundred", "small"]
    assert await matching(tables, {"name": {"ilike": "%école%"}}) == ["big"]
    assert await matching(tables, {"name": {"ilike": "%MÜLLER"}}) == ["big"]


async def test_in_matches_any_listed_value_by_type(tables: TablesView) -> None:
    assert await matching(tables, {"amount": {"in": [100, "150"]}}) == ["hundred", "text"]
    assert await matching(tables, {"amount": {"in": [None, 1200]}}) == ["bare", "big", "nulls"]
    assert await matching(tables, {"active": {"in": [True]}}) == ["big", "small"]


async def test_in_with_an_empty_list_matches_nothing(tables: TablesView) -> None:
    assert await matching(tables, {"amount": {"in": []}}) == []


async def test_is_null_counts_a_missing_field_as_null(tables: TablesView) -> None:
    assert await matching(tables, {"address": {"is_null": True}}) == ["bare", "nulls", "text"]
    assert await matching(tables, {"address": {"is_null": False}}) == ["big", "hundred", "small"]


async def test_ne_matches_different_null_and_missing_values(tables: TablesView) -> None:
    assert await matching(tables, {"amount": {"ne": 100}}) == ["bare", "big", "nulls", "small", "text"]
    assert await matching(tables, {"name": {"ne": None}}) == ["big", "hundred", "small", "text"]


async def test_contains_is_a_literal_substring_for_strings_and_membership_for_arrays(tables: TablesView) -> None:
    assert await matching(tables, {"name": {"contains": "50%"}}) == ["small"]
    assert await matching(tables, {"name": {"contains": "5_%"}}) == []
    assert await matching(tables, {"tags": {"contains": "blue"}}) == ["hundred", "small", "text"]
    assert await matching(tables, {"tags": {"contains": "blu"}}) == ["text"]
    await tables.insert("items", {"tags": [1, 2.5, True, None]}, "mixed", None, None)
    assert await matching(tables, {"tags": {"contains": 2.5}}) == ["mixed"]
    assert await matching(tables, {"tags": {"contains": 1}}) == ["mixed"]
    assert await matching(tables, {"tags": {"contains": None}}) == ["mixed"]


async def test_starts_with_and_ends_with_take_their_operand_literally(tables: TablesView) -> None:
    assert await matching(tables, {"name": {"starts_with": "Acme 50%"}}) == ["small"]
    assert await matching(tables, {"name": {"starts_with": "Acme 5_"}}) == []
    assert await matching(tables, {"name": {"starts_with": "%"}}) == []
    assert await matching(tables, {"name": {"ends_with": "_under"}}) == ["text"]
    assert await matching(tables, {"name": {"ends_with": "off"}}) == ["small"]
    assert await matching(tables, {"name": {"ends_with": "%"}}) == []


async def test_has_key_checks_the_object_at_the_field(tables: TablesView) -> None:
    assert await matching(tables, {"address": {"has_key": "zip"}}) == ["hundred"]
    assert await matching(tables, {"address": {"has_key": "city"}}) == ["hundred", "small"]


async def test_dotted_paths_reach_nested_fields(tables: TablesView) -> None:
    assert await matching(tables, {"address.city": "Oslo"}) == ["small"]
    assert await matching(tables, {"address.zip": {"starts_with": "50"}}) == ["hundred"]


async def test_a_key_containing_a_dot_is_reachable_by_has_key(tables: TablesView) -> None:
    await tables.insert("items", {"meta": {"a.b": 1}}, "dotted", None, None)
    assert await matching(tables, {"meta": {"has_key": "a.b"}}) == ["dotted"]


async def test_operators_on_one_field_and_several_fields_all_and_together(tables: TablesView) -> None:
    assert await matching(tables, {"amount": {"gt": 99, "lt": 1000}}) == ["hundred", "small"]
    assert await matching(tables, {"active": True, "amount": {"gt": 1000}}) == ["big"]


async def test_a_list_value_is_exact_array_equality(tables: TablesView) -> None:
    assert await matching(tables, {"tags": ["red", "blue"]}) == ["small"]
    assert await matching(tables, {"tags": ["blue", "red"]}) == []
    assert await matching(tables, {"tags": {"eq": []}}) == ["big"]


async def test_no_where_or_an_empty_where_matches_everything(tables: TablesView) -> None:
    assert len(await matching(tables, {})) == len(DOCS)
    assert (await tables.count("items", None, None, None)) == len(DOCS)


async def test_order_by_a_number_field_sorts_numerically_with_missing_values_last(tables: TablesView) -> None:
    assert await ordered(tables, "amount") == ["small", "hundred", "big", "text", "bare", "nulls"]
    assert await ordered(tables, "amount", "desc") == ["text", "big", "hundred", "small", "nulls", "bare"]


async def test_order_by_numbers_is_not_text_order(tables_a: TablesView) -> None:
    for doc_id, value in (("n5", 5), ("n40", 40), ("n300", 300), ("n2.5", 2.5)):
        await tables_a.insert("nums", {"n": value}, doc_id, None, None)
    result = await tables_a.query("nums", None, "n", "asc", 10, 0, None, None)
    assert [doc.data["n"] for doc in result.documents] == [2.5, 5, 40, 300]


async def test_order_by_a_nested_field_and_by_metadata_columns(tables: TablesView) -> None:
    assert (await ordered(tables, "address.city"))[:2] == ["hundred", "small"]
    assert await ordered(tables, "id") == sorted(DOCS)
    assert await ordered(tables, "id", "desc") == sorted(DOCS, reverse=True)
    assert await ordered(tables, "created_at") == list(DOCS)
    assert await ordered(tables, None, "desc") == list(reversed(DOCS))


async def test_an_unknown_operator_is_refused_naming_it_and_the_valid_ones(tables: TablesView) -> None:
    with pytest.raises(ValidationError, match=r"unknown operator 'gtt' on field 'amount'.*valid operators: contains"):
        await tables.query("items", {"amount": {"gtt": 5}}, None, "asc", 10, 0, None, None)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"amount": {"in": "abc"}}, r"'amount' in: expects a list"),
        ({"amount": {"in": [{"a": 1}]}}, r"'amount' in: values must be"),
        ({"amount": {"gt": {"a": 1}}}, r"'amount' gt: expects a number or a string"),
        ({"amount": {"lt": True}}, r"'amount' lt: expects a number or a string"),
        ({"amount": {"gte": None}}, r"'amount' gte: expects a number or a string"),
        ({"amount": {"gt": float("nan")}}, r"'amount' gt: nan is not a finite number"),
        ({"amount": {"eq": 2**70}}, r"64-bit"),
        ({"name": {"like": 5}}, r"'name' like: expects a string"),
        ({"name": {"starts_with": None}}, r"'name' starts_with: expects a string"),
        ({"deleted": {"is_null": "yes"}}, r"'deleted' is_null: expects True or False"),
        ({"address": {"has_key": 3}}, r"'address' has_key: expects a string"),
        ({"tags": {"contains": ["a"]}}, r"'tags' contains: expects a string"),
        ({"address": {"eq": {"city": "Oslo"}}}, r"'address' eq: comparing a whole object"),
        ({"amount": {}}, r"'amount': empty operator dict"),
        ({"when": {"gt": "2024-13-45"}}, r"looks like an ISO date"),
        ({"amount": object()}, r"not a JSON value"),
    ],
)
async def test_a_wrong_operand_type_is_refused_naming_the_field_and_operator(
    tables: TablesView, where: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        await tables.query("items", where, None, "asc", 10, 0, None, None)
    with pytest.raises(ValidationError, match=message):
        await tables.count("items", where, None, None)


@pytest.mark.parametrize("field", ["", "a..b", ".a", "a.", 'say "hi"', "tab\there", 5])
async def test_a_field_name_a_json_path_cannot_express_is_refused(tables: TablesView, field: Any) -> None:
    with pytest.raises(ValidationError, match="field"):
        await tables.query("items", {field: 1}, None, "asc", 10, 0, None, None)


def test_a_where_that_is_not_a_dict_is_refused() -> None:
    with pytest.raises(ValidationError, match="where must be a dict"):
        compile_where([("a", 1)])  # type: ignore[arg-type]


def test_values_are_bound_as_parameters_never_written_into_the_sql() -> None:
    condition = compile_where({"name": "x' OR '1'='1", "amount": {"in": [1, 2]}, "tag": {"like": "%';--"}})
    assert "OR '1'='1" not in condition.sql
    assert "';--" not in condition.sql
    assert "x' OR '1'='1" in condition.params


def test_the_operator_list_covers_the_spec_and_the_issue() -> None:
    spec = {"gt", "gte", "lt", "lte", "like", "ilike", "in", "is_null"}
    issue = {"ne", "contains", "starts_with", "ends_with", "has_key"}
    assert spec | issue <= set(OPERATORS)


def test_order_dir_must_be_asc_or_desc() -> None:
    with pytest.raises(ValidationError, match="order_dir"):
        compile_order("amount", "sideways")


HOSTILE_FIELDS = [
    "x') OR 1=1 --",
    "name' OR '1'='1",
    "a'); DROP TABLE data_documents; --",
    "') UNION SELECT id, table_id, data, created_at, updated_at FROM data_documents --",
    "*/ OR 1=1 /*",
    "$.name",
    "name]",
]


@pytest.mark.parametrize("field", HOSTILE_FIELDS)
async def test_a_hostile_field_name_matches_nothing_and_leaves_every_row_in_place(
    tables: TablesView, field: str
) -> None:
    for where in (
        {field: 1},
        {field: "x"},
        {field: {"gt": 0}},
        {field: {"like": "%"}},
        {field: {"is_null": False}},
        {field: {"contains": "a"}},
        {"address": {"has_key": field}},
    ):
        assert await matching(tables, where) == []
    result = await tables.query("items", None, field, "desc", 1000, 0, None, None)
    assert result.total == len(DOCS)
    assert await tables.count("items", None, None, None) == len(DOCS)
    assert [t.name for t in await tables.list(None, None)] == ["items"]


@pytest.mark.parametrize("field", HOSTILE_FIELDS)
async def test_a_hostile_field_name_is_an_ordinary_literal_key(tables: TablesView, field: str) -> None:
    top = field.split(".")[0]
    await tables.insert("items", {top: {"name": 7}, field: 7} if "." in field else {field: 7}, "odd", None, None)
    assert await matching(tables, {field: 7}) == ["odd"]


async def test_a_hostile_value_is_only_ever_a_value(tables: TablesView) -> None:
    assert await matching(tables, {"name": "x' OR '1'='1"}) == []
    assert await matching(tables, {"name": {"in": ["') OR 1=1 --"]}}) == []
    assert await tables.count("items", None, None, None) == len(DOCS)
