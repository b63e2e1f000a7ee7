"""The models' type stub is derived from the models: regenerating it changes nothing."""

from __future__ import annotations

from accsyn.models._stubgen import generate, stub_path


def test_the_committed_stub_matches_the_models() -> None:
    assert stub_path().read_text() == generate(), (
        "accsyn/models/__init__.pyi is stale: run `python -m accsyn.models._stubgen`"
    )


def test_the_stub_documents_fields_for_hover() -> None:
    text = stub_path().read_text()
    # A field's `#:` comment or description becomes the attribute's docstring.
    assert '    size: Field[int | None, NumExpr[int, int | None]] = attr()\n    """Bytes;' in text
