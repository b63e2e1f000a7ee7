"""The SQL compiler and the Python evaluator select exactly the same entities."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accsyn.emulator import Store
from accsyn.query import And, Comparison, Op, Or, negate
from accsyn.query._ast import Expr
from accsyn.query._evaluate import matches

# Characters that stress case folding, wildcards and GLOB/LIKE escaping.
ALPHABET = "aAbBsSß:*?[]%_-@. İıéÉ0123"
texts = st.text(alphabet=ALPHABET, max_size=6)
IDS = ["5bfeb0381da7ee4095fa217e", "6676f3e9c7ef4e27da254e57"]
EMAILS = ["lisa@example.com", "Bob@Example.com"]

refs = st.sampled_from([f"user:{IDS[0]}", f"user:{IDS[1]}", IDS[0], "workspace:abc", "weird:İ*"])
hrs = st.sampled_from(
    [
        f"user:{EMAILS[0]}[standard]({IDS[0]})",
        f"user:{EMAILS[1]}[admin]({IDS[1]})",
        f"hq({IDS[0]})",
        "workspace:seagull(x)",
        "share:Projects[volume](y)",
    ]
)
dates = st.sampled_from(
    ["2026-01-01T00:00:00", "2026-01-31T12:00:00", "2025-12-31T23:59:59", "not a date"]
)
numbers = st.one_of(
    st.integers(-5, 5), st.floats(-5, 5, allow_nan=False), st.sampled_from([10**20, 0.5])
)
MISSING = object()


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, st.none(), st.just(MISSING))


@st.composite
def entities(draw: st.DrawFn) -> dict[str, Any]:
    candidates = {
        # Hot attributes, sometimes with irregular (non-string) values.
        "status": maybe(st.one_of(st.sampled_from(["done", "Failed", "running"]), texts, numbers)),
        "name": maybe(st.one_of(texts, numbers, st.booleans())),
        "user": maybe(st.one_of(refs, numbers)),
        "user_hr": maybe(hrs),
        "source": maybe(refs),
        "source_hr": maybe(hrs),
        # Attributes evaluated through the Python primitive.
        "size": maybe(st.one_of(numbers, texts)),
        "created": maybe(dates),
        "uri": maybe(st.one_of(texts, st.lists(texts, max_size=3))),
        "metadata": maybe(st.dictionaries(st.sampled_from(["a", "b"]), texts, max_size=2)),
    }
    out: dict[str, Any] = {}
    for key, strategy in candidates.items():
        value = draw(strategy)
        if value is not MISSING:
            out[key] = value
    return out


ATTRS = ["status", "name", "user", "source", "size", "created", "uri", "metadata", "metadata.a"]
SAMPLES = [
    *("*", "done", "DONE", "fail*", "*e*", "1", "1.0", "-2", "0.5", "true", "False"),
    *IDS,
    *EMAILS,
    *("LISA@EXAMPLE.COM", "hq", "Seagull", "projects", f"user:{IDS[0]}", "user:*"),
    *("2026-01-01T00:00:00", "2026-01-15T00:00:00", "ß", "SS", "[ab]", "a?"),
]
values = st.one_of(texts, st.sampled_from(SAMPLES))
regexes = st.sampled_from(["^d", "e$", "ss", "[0-9]", "^$", "İ", "lisa@", r"\d+\.5", "a|b"])


@st.composite
def comparisons(draw: st.DrawFn) -> Comparison:
    attr = draw(st.sampled_from(ATTRS))
    op = draw(st.sampled_from(list(Op)))
    if op.takes_list:
        value: Any = tuple(draw(st.lists(values, min_size=1, max_size=3)))
    elif op in (Op.MATCHES, Op.NOT_MATCHES):
        value = draw(regexes)
    else:
        value = draw(values)
    return Comparison(attr, op, value)


exprs: st.SearchStrategy[Expr] = st.recursive(
    comparisons(),
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda cs: And(tuple(cs))),
        st.lists(children, min_size=2, max_size=3).map(lambda cs: Or(tuple(cs))),
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def store():  # type: ignore[no-untyped-def]
    s = Store()
    yield s
    s.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(entities(), min_size=1, max_size=12), expr=exprs)
def test_sql_and_python_agree(store: Store, rows: list[dict[str, Any]], expr: Expr) -> None:
    et = "transfer"
    store.conn.execute("DELETE FROM entity")
    store.conn.execute("DELETE FROM irregular")
    store.irregular.clear()
    datas = [json.loads(json.dumps(dict(r, id=f"{i:024x}"))) for i, r in enumerate(rows)]
    store.insert_many(et, datas)
    for e in (expr, negate(expr)):
        sql_ids = {r.id for r in store.select([et], where=e, entitytype=et)}
        py_ids = {d["id"] for d in datas if matches(e, d, entitytype=et)}
        assert sql_ids == py_ids, e


@settings(max_examples=300, deadline=None)
@given(entity=entities(), expr=exprs)
def test_negation_is_complement(entity: dict[str, Any], expr: Expr) -> None:
    data = json.loads(json.dumps(entity))
    assert matches(negate(expr), data, entitytype="transfer") is (
        not matches(expr, data, entitytype="transfer")
    )


def test_documented_semantics() -> None:
    t = {
        "status": "Failed",
        "name": "Daily backup",
        "size": 100,
        "created": "2026-01-31T12:00:00",
        "user": f"user:{IDS[0]}",
        "user_hr": f"user:lisa@example.com[standard]({IDS[0]})",
        "destination": "site:6645fbca9f8c4d3e7a3b678d",
        "destination_hr": "hq(6645fbca9f8c4d3e7a3b678d)",
    }

    def m(attr: str, op: Op, value: Any) -> bool:
        return matches(Comparison(attr, op, value), t, entitytype="transfer")

    assert m("status", Op.EQ, "failed")  # case-insensitive
    assert m("name", Op.EQ, "* BACKUP")  # wildcard
    assert not m("name", Op.EQ, "backup")
    assert m("user", Op.EQ, "LISA@example.com")  # human identifier from user_hr
    assert m("user", Op.EQ, IDS[0]) and m("user", Op.EQ, f"user:{IDS[0]}")
    assert m("destination", Op.EQ, "hq") and not m("destination", Op.EQ, "roaming")
    assert m("size", Op.GT, "99.5") and not m("size", Op.GT, "100")  # numeric, not text
    assert m("created", Op.LT, "2026-02-01T00:00:00+00:00")  # chronological
    assert m("status", Op.IN, ("done", "FAILED"))
    assert m("name", Op.CONTAINS, "LY BA") and m("name", Op.MATCHES, r"^daily\s")
    assert m("missing", Op.NE, "x") and not m("missing", Op.EQ, "*")
    assert m("missing", Op.NOT_CONTAINS, "x") and not m("missing", Op.LT, "x")


def test_models_are_evaluated_through_their_wire_form() -> None:
    from accsyn.models import model_for

    transfer = model_for("transfer").from_wire(
        {
            "id": IDS[1],
            "status": "failed",
            "user": f"user:{IDS[0]}",
            "user_hr": f"user:lisa@example.com[standard]({IDS[0]})",
            "size": 10,
        }
    )
    assert matches(Comparison("user", Op.EQ, "lisa@example.com"), transfer)
    assert matches(
        And((Comparison("status", Op.EQ, "FAILED"), Comparison("size", Op.GE, "10"))), transfer
    )
    assert not matches(Comparison("size", Op.GT, "10"), transfer)
