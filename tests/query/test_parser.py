"""Parser behaviour: syntax, precedence, values, lists, errors and limits."""

from __future__ import annotations

import pickle

import pytest

import accsyn
from accsyn.query import (
    And,
    Comparison,
    Op,
    Or,
    Query,
    QuerySyntaxError,
    parse,
    parse_expression,
    render,
)


def c(attribute: str, op: Op | str, value: str | tuple[str, ...]) -> Comparison:
    return Comparison(attribute, Op(op), value)


class TestSyntax:
    def test_keywords_and_names_are_case_insensitive(self) -> None:
        a = parse("TRANSFER where Status<>failed aNd Job.ID=1")
        b = parse("transfer WHERE status!=failed AND job.id=1")
        assert a == b
        assert a.entitytype == "transfer"

    def test_values_keep_their_case(self) -> None:
        q = parse('transfer WHERE name="Daily Backup" AND code=AbC')
        assert render(q) == 'transfer WHERE name="Daily Backup" AND code=AbC'

    def test_and_binds_tighter_than_or(self) -> None:
        assert parse_expression("a=1 OR b=2 AND c=3") == Or(
            (c("a", "=", "1"), And((c("b", "=", "2"), c("c", "=", "3"))))
        )
        assert parse_expression("a=1 AND b=2 OR c=3") == Or(
            (And((c("a", "=", "1"), c("b", "=", "2"))), c("c", "=", "3"))
        )

    def test_groups_of_the_same_kind_are_flattened(self) -> None:
        assert parse_expression("a=1 AND (b=2 AND (c=3))") == And(
            (c("a", "=", "1"), c("b", "=", "2"), c("c", "=", "3"))
        )
        assert parse_expression("((a=1))") == c("a", "=", "1")

    @pytest.mark.parametrize(
        ("text", "op"),
        [
            ("a=1", Op.EQ),
            ("a!=1", Op.NE),
            ("a<>1", Op.NE),
            ("a<1", Op.LT),
            ("a<=1", Op.LE),
            ("a>1", Op.GT),
            ("a>=1", Op.GE),
            ("a contains 1", Op.CONTAINS),
            ("a NOT   Contains 1", Op.NOT_CONTAINS),
            ("a matches 1", Op.MATCHES),
            ("a not\tmatches 1", Op.NOT_MATCHES),
        ],
    )
    def test_every_operator(self, text: str, op: Op) -> None:
        assert parse_expression(text) == c("a", op, "1")

    def test_whitespace_around_symbolic_operators_is_optional(self) -> None:
        assert parse_expression("name = x") == parse_expression("name=x")
        assert parse_expression("status<>failed") == parse_expression("status <> failed")

    @pytest.mark.parametrize(
        "text",
        [
            "type in 0,2",
            "type in 0, 2",
            'type in "0,2"',
            "type in '0,2'",
            "type in (0, 2)",
            'type IN ("0", 2)',
            'type in ("0,2")',
        ],
    )
    def test_list_spellings_parse_to_the_same_tuple(self, text: str) -> None:
        assert parse_expression(text) == c("type", Op.IN, ("0", "2"))

    def test_not_in(self) -> None:
        assert parse_expression("status not in failed,aborted") == c(
            "status", Op.NOT_IN, ("failed", "aborted")
        )

    def test_bare_values_may_hold_punctuation(self) -> None:
        for value in [
            "lisa@example.com",
            "user:6676f3e9c7ef4e27da254e57",
            "2026-01-31T12:00:00",
            "*backup",
            "a+b/c_d-e.f",
        ]:
            assert parse_expression(f"x={value}") == c("x", "=", value)

    def test_quoted_values_are_verbatim(self) -> None:
        assert parse_expression(r'name matches "backup.*\.zip"').value == r"backup.*\.zip"
        assert parse_expression("""name='say "hi"'""").value == 'say "hi"'
        assert parse_expression('''name="it's"''').value == "it's"
        assert parse_expression('name=""').value == ""
        assert parse_expression('name="a\nb"').value == "a\nb"

    def test_keywords_inside_words_are_not_keywords(self) -> None:
        # The classic traps of case-insensitive string keywords.
        assert parse_expression("a=1 OR order=2") == Or((c("a", "=", "1"), c("order", "=", "2")))
        assert parse_expression("android=1 AND notes=2") == And(
            (c("android", "=", "1"), c("notes", "=", "2"))
        )
        assert parse_expression("status=inbox").value == "inbox"
        assert parse_expression("x=andy").value == "andy"

    def test_statement_forms(self) -> None:
        assert parse("Transfer") == Query("transfer")
        assert parse("status=failed") == Query(None, c("status", "=", "failed"))
        assert parse("entitytypes") == Query("entitytypes")
        assert parse("attributes WHERE entitytype=transfer") == Query(
            "attributes", c("entitytype", "=", "transfer")
        )

    def test_value_on_the_left_is_an_attribute(self) -> None:
        assert parse_expression("failed=status") == c("failed", "=", "status")

    def test_positions_are_recorded_but_not_compared(self) -> None:
        q = parse("transfer WHERE  staus=failed")
        assert q.entitytype_pos == 0
        assert isinstance(q.where, Comparison)
        assert q.where.attribute_pos == 16
        assert q.where.value_pos == 22
        assert q.source == "transfer WHERE  staus=failed"
        assert q == Query("transfer", c("staus", "=", "failed"))

    def test_results_are_cached_and_immutable(self) -> None:
        text = "transfer WHERE status=failed AND name contains backup"
        assert parse(text) is parse(text)
        with pytest.raises(AttributeError):
            parse(text).entitytype = "user"  # type: ignore[misc]

    def test_nodes_are_hashable(self) -> None:
        a = parse_expression("(a=1 OR b=2) AND c in 1,2")
        b = parse_expression("(a=1 OR b=2) AND c in (1, 2)")
        assert hash(a) == hash(b)
        assert len({a, b}) == 1
        assert parse_expression("a=1 AND b=2") != parse_expression("a=1 OR b=2")

    def test_non_string_input_is_a_type_error(self) -> None:
        with pytest.raises(TypeError):
            parse(b"transfer")  # type: ignore[arg-type]


def err(text: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    return info.value


class TestErrors:
    def test_error_is_typed(self) -> None:
        e = err("transfer WHERE")
        assert isinstance(e, accsyn.AccsynError)
        assert isinstance(e, ValueError)
        assert isinstance(e, accsyn.QueryError)

    def test_running_out_of_input_is_one_past_the_end(self) -> None:
        e = err("Transfer WHERE")
        assert (e.position, e.line, e.column) == (14, 1, 15)
        assert e.expected == ("an attribute name", "`(`")

    def test_message_shows_a_caret_under_the_column(self) -> None:
        e = err("transfer WHERE status=failed ORDER=2")
        assert e.column == 30
        lines = str(e).splitlines()
        assert "line 1, column 30" in lines[0]
        assert "AND or OR" in lines[0]
        assert lines[1] == "    transfer WHERE status=failed ORDER=2"
        assert lines[2] == "    " + " " * 29 + "^"

    def test_multiline_positions(self) -> None:
        e = err("transfer WHERE status=failed\n  AND (user=x OR")
        assert (e.line, e.column) == (2, 17)
        assert e.position == len("transfer WHERE status=failed\n  AND (user=x OR")

    def test_missing_value(self) -> None:
        e = err("transfer WHERE status=")
        assert e.column == 23
        assert e.expected == ("a value",)

    def test_missing_close_paren(self) -> None:
        e = err("(a=1 AND b=2")
        assert e.expected == ("`)`",)
        assert e.column == 13

    def test_unexpected_close_paren(self) -> None:
        e = err("a=1)")
        assert e.column == 4
        assert "`)`" in str(e)

    def test_unterminated_string_fails_at_its_opening_quote(self) -> None:
        e = err('transfer WHERE name="abc')
        assert e.column == 21
        assert "unterminated string" in str(e)
        e = err("name='abc")
        assert e.column == 6

    def test_word_keyword_needs_a_boundary(self) -> None:
        e = err("status in-box")
        assert e.column == 8
        e = err("status inbox")
        assert e.column == 8
        assert "an operator" in e.expected

    def test_keyword_as_value_must_be_quoted(self) -> None:
        e = err("status=and")
        assert e.column == 8
        assert "quote it" in str(e)
        assert parse_expression('status="and"').value == "and"

    def test_keyword_as_attribute(self) -> None:
        e = err("and=1")
        assert e.column == 1

    def test_comma_outside_a_list_suggests_in(self) -> None:
        e = err("status=failed,aborted")
        assert e.column == 14
        assert "`in`" in str(e)

    def test_not_must_be_followed_by_a_word_operator(self) -> None:
        e = err("a not b")
        assert e.expected == ("in, contains or matches",)
        assert e.column == 7

    def test_entity_type_cannot_be_dotted(self) -> None:
        e = err("job.x WHERE a=1")
        assert e.column == 1

    def test_empty_input(self) -> None:
        e = err("")
        assert (e.position, e.column) == (0, 1)
        e = err("   ")
        assert e.column == 4

    def test_unrenderable_list_is_rejected_at_parse_time(self) -> None:
        e = err("""x in ('a"', "b'")""")
        assert e.column == 6

    def test_nesting_limit(self) -> None:
        ok = "(" * 64 + "a=1" + ")" * 64
        assert parse(ok) == Query(None, c("a", "=", "1"))
        e = err("(" * 65 + "a=1" + ")" * 65)
        assert e.column == 65
        assert "64" in str(e)

    def test_precedence_groups_count_toward_the_nesting_limit(self) -> None:
        # 34 explicit parentheses, but each level holds an AND inside an OR, which
        # renders with parentheses of its own: 68 levels would not render.
        text = "(a=1 AND " * 34 + "b=2" + ") OR c=3" * 34
        e = err(text)
        assert "levels deep" in str(e)
        ok = "(a=1 AND " * 31 + "b=2" + ") OR c=3" * 31
        q = parse(ok)
        assert parse(render(q)) == q

    def test_an_earlier_error_wins_over_the_nesting_limit(self) -> None:
        e = err("a=1 b=2 AND " + "(" * 100)
        assert e.column == 5

    def test_deep_nesting_never_recurses(self) -> None:
        e = err("(" * 50_000)
        assert e.column == 65

    def test_errors_pickle(self) -> None:
        e = err("transfer WHERE")
        again = pickle.loads(pickle.dumps(e))
        assert str(again) == str(e)
        assert again.column == e.column

    def test_parse_expression_rejects_statements(self) -> None:
        with pytest.raises(QuerySyntaxError):
            parse_expression("transfer WHERE a=1")
        with pytest.raises(QuerySyntaxError) as info:
            parse_expression("transfer")
        assert info.value.expected == ("an operator",)
