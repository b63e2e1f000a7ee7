"""The SQL compiler and the Python evaluator: each right on its own, and in agreement.

Both engines share primitives, so agreeing with each other proves little about
either. :data:`ORACLE` holds, per operator, the ids that query-language.md §4 says
a query selects from a fixed small dataset, worked out by hand; each engine is held
to it on its own. The property test then checks that they agree on random data.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accsyn.emulator import Store
from accsyn.models import SCHEMA
from accsyn.query import And, Comparison, Op, Or, negate, parse
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


# --- independent oracle: a fixed dataset and hand-computed answers ----------------------

U1, U2, S1 = "5bfeb0381da7ee4095fa217e", "6676f3e9c7ef4e27da254e57", "6645fbca9f8c4d3e7a3b678d"
LISA = {"user": f"user:{U1}", "user_hr": f"user:lisa@example.com[standard]({U1})"}
BOB = {"user": f"user:{U2}", "user_hr": f"user:bob@example.com[admin]({U2})"}
DATASET: dict[str, dict[str, Any]] = {
    "a": {
        "status": "Failed",
        "name": "Daily backup",
        "size": 100,
        "created": "2026-01-10T00:00:00",
        "destination": f"site:{S1}",
        "destination_hr": f"hq({S1})",
        **LISA,
    },
    "b": {
        "status": "done",
        "name": "plates v2",
        "size": 2000,
        "created": "2026-02-01T12:00:00",
        **BOB,
    },
    # size 9 < 100 as numbers, but "9" > "100" as text: ordering must be numeric.
    "c": {
        "status": "running",
        "name": "backup of shots",
        "size": 9,
        "created": "2025-12-31T23:59:59",
        **LISA,
    },
    # No size, no created, no user: missing attributes.
    "d": {"status": "DONE", "name": "Straße"},
    # A null status; a reference without its _hr companion; a literal '*' in a name.
    "e": {"status": None, "name": "x*y", "size": None, "user": f"user:{U2}"},
}
ALL = frozenset(DATASET)

#: Query -> the rows it selects, by query-language.md §4 (worked out by hand).
ORACLE: list[tuple[str, set[str]]] = [
    # = / != : case-insensitive; '*' is a wildcard; missing/null: != true, = false
    ("status=done", {"b", "d"}),
    ("status!=done", {"a", "c", "e"}),
    ("status=*", {"a", "b", "c", "d"}),
    ('name="*backup"', {"a"}),
    ('name="*BACKUP*"', {"a", "c"}),
    ('name="x*y"', {"e"}),
    ("name=STRASSE", {"d"}),
    # ordering: numeric for numbers, chronological for dates; missing/null: false
    ("size>50", {"a", "b"}),
    ("size<=100", {"a", "c"}),
    ("size<9", set()),
    ("size>=9", {"a", "b", "c"}),
    ("created>=2026-01-10T00:00:00", {"a", "b"}),
    ("created<2026-01-01T00:00:00", {"c"}),
    # in / not in: each item as '='
    ("status in (failed, RUNNING)", {"a", "c"}),
    ("status not in (failed, running)", {"b", "d", "e"}),
    # contains / not contains: case-insensitive substring
    ("name contains BACK", {"a", "c"}),
    ("name not contains back", {"b", "d", "e"}),
    # matches / not matches: searched, case-insensitive regex
    (r"name matches '^PLATES\s'", {"b"}),
    ("name matches 'up'", {"a", "c"}),
    ("name not matches 's$'", {"a", "b", "d", "e"}),
    # references: the id, the type:id, and the human identifier from _hr
    ("user=lisa@example.com", {"a", "c"}),
    (f"user={U2}", {"b", "e"}),
    (f"user=user:{U1}", {"a", "c"}),
    ("user!=lisa@example.com", {"b", "d", "e"}),
    ("destination=HQ", {"a"}),
    ("user in (lisa@example.com, bob@example.com)", {"a", "b", "c"}),
    # and / or
    ("(status=done OR size>1000) AND name contains plates", {"b"}),
    # e refers to bob by id only (no _hr): his email cannot select it
    ("status=running OR user=bob@example.com", {"b", "c"}),
]


def _id(key: str) -> str:
    return key * 24


@pytest.fixture(scope="module")
def oracle_store():  # type: ignore[no-untyped-def]
    s = Store()
    s.insert_many("transfer", [dict(data, id=_id(k)) for k, data in DATASET.items()])
    yield s
    s.close()


def _where(text: str) -> Expr:
    where = parse(f"transfer WHERE {text}").where
    assert where is not None
    return where


@pytest.mark.parametrize(("text", "expected"), ORACLE, ids=[t for t, _ in ORACLE])
def test_sql_engine_against_the_oracle(oracle_store: Store, text: str, expected: set[str]) -> None:
    for expr, want in ((_where(text), expected), (negate(_where(text)), ALL - expected)):
        got = {
            r.id[0] for r in oracle_store.select(["transfer"], where=expr, entitytype="transfer")
        }
        assert got == want, f"SQL engine, {expr}"


@pytest.mark.parametrize(("text", "expected"), ORACLE, ids=[t for t, _ in ORACLE])
def test_python_evaluator_against_the_oracle(text: str, expected: set[str]) -> None:
    for expr, want in ((_where(text), expected), (negate(_where(text)), ALL - expected)):
        got = {
            k for k, data in DATASET.items() if matches(expr, data, SCHEMA, entitytype="transfer")
        }
        assert got == want, f"Python evaluator, {expr}"


def test_the_oracle_covers_every_operator() -> None:
    used = set()
    for text, _ in ORACLE:
        stack: list[Expr] = [_where(text)]
        while stack:
            node = stack.pop()
            if isinstance(node, Comparison):
                used.add(node.op)
            else:
                stack.extend(node.children)
    # Negative operators are covered directly and, through negate(), for every row.
    assert used == set(Op), set(Op) - used


# --- agreement on random data --------------------------------------------------------------


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
        py_ids = {d["id"] for d in datas if matches(e, d, SCHEMA, entitytype=et)}
        assert sql_ids == py_ids, e


@settings(max_examples=300, deadline=None)
@given(entity=entities(), expr=exprs)
def test_negation_is_complement(entity: dict[str, Any], expr: Expr) -> None:
    data = json.loads(json.dumps(entity))
    assert matches(negate(expr), data, SCHEMA, entitytype="transfer") is (
        not matches(expr, data, SCHEMA, entitytype="transfer")
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
        return matches(Comparison(attr, op, value), t, SCHEMA, entitytype="transfer")

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
    assert matches(Comparison("user", Op.EQ, "lisa@example.com"), transfer, SCHEMA)
    assert matches(
        And((Comparison("status", Op.EQ, "FAILED"), Comparison("size", Op.GE, "10"))),
        transfer,
        SCHEMA,
    )
    assert not matches(Comparison("size", Op.GT, "10"), transfer, SCHEMA)
