import pytest

from bifrost.errors import ValidationError
from bifrost_mcp.data.tables.paths import order_expr, parse_field, table_literal, value_expr


def test_a_dotted_field_is_a_path_of_keys() -> None:
    assert parse_field("address.city") == ("address", "city")
    assert parse_field("$weird key!") == ("$weird key!",)


def test_each_key_is_double_quoted_in_the_json_path_and_single_quotes_are_doubled_in_sql() -> None:
    assert value_expr(("address", "city")) == 'json_extract(data, \'$."address"."city"\')'
    assert value_expr(("it's",)) == "json_extract(data, '$.\"it''s\"')"


def test_a_key_with_a_double_quote_or_control_character_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match=r"field 'a\"b' contains a double quote"):
        parse_field('a"b')
    with pytest.raises(ValidationError, match="control character"):
        parse_field("a\x00b")


def test_a_field_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(ValidationError, match="longer than 256"):
        parse_field("x" * 257)


def test_only_generated_hex_table_ids_are_written_into_sql() -> None:
    assert table_literal("0" * 32) == f"'{'0' * 32}'"
    with pytest.raises(RuntimeError):
        table_literal("' OR 1=1 --")


def test_order_by_metadata_names_are_columns_and_others_are_data_fields() -> None:
    assert order_expr("created_at") == ("created_at", False)
    assert order_expr("total") == (value_expr(("total",)), True)
