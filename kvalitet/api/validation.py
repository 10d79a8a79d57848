"""Request validation errors in Swedish: what is wrong with which field, so the Swedish half of a
422 says what to fix, as the English half (pydantic's own text) does."""

from __future__ import annotations

__all__ = ["swedish_validation_message"]

_WHERE = {"body": "fältet", "query": "parametern", "path": "sökvägen", "header": "huvudet", "cookie": "kakan"}


def _field(loc: list) -> str:
    """"fältet title", "parametern year", "JSON-texten" for the body as a whole."""
    if not loc:
        return "begäran"
    head, rest = str(loc[0]), [str(x) for x in loc[1:]]
    if head == "body" and (not rest or rest[0].isdigit()):
        return "JSON-texten"
    if head in _WHERE and rest:
        return f"{_WHERE[head]} {'.'.join(rest)}"
    return ".".join(str(x) for x in loc)


def _problem(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    loc = error.get("loc") or []
    if kind == "json_invalid":
        at = loc[1] if len(loc) > 1 else "?"
        return f"går inte att läsa (fel vid tecken {at}); kontrollera citattecken, kommatecken och klamrar"
    if kind == "missing":
        return "saknas"
    if kind in ("string_type", "string_sub_type"):
        return "ska vara text"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "ska vara ett heltal"
    if kind in ("float_type", "float_parsing"):
        return "ska vara ett tal"
    if kind in ("bool_type", "bool_parsing"):
        return "ska vara true eller false"
    if kind in ("list_type", "tuple_type", "set_type"):
        return "ska vara en lista"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "ska vara ett objekt"
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected")
        return f"ska vara ett av: {expected}" if expected else "har ett värde som inte finns"
    if kind == "string_too_short":
        n = ctx.get("min_length")
        return "får inte vara tomt" if n in (None, 1) else f"är för kort (minst {n} tecken)"
    if kind == "string_too_long":
        return f"är för långt (högst {ctx.get('max_length', '?')} tecken)"
    if kind in ("too_short", "too_long"):
        return f"har fel antal värden ({ctx.get('actual_length', '?')})"
    if kind in ("greater_than_equal", "greater_than"):
        return f"ska vara minst {ctx.get('ge', ctx.get('gt', '?'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"ska vara högst {ctx.get('le', ctx.get('lt', '?'))}"
    if kind == "extra_forbidden":
        return "finns inte (ta bort det)"
    if kind == "string_pattern_mismatch":
        return "har fel form"
    return "har ett ogiltigt värde"


def swedish_validation_message(errors: list[dict]) -> str:
    """"Ogiltig begäran: fältet year ska vara ett heltal; fältet kind ska vara ett av: …" from
    FastAPI's RequestValidationError.errors() (dicts with loc, type and ctx)."""
    parts = [f"{_field(list(e.get('loc') or []))} {_problem(e)}" for e in errors]
    return "Ogiltig begäran: " + "; ".join(parts) if parts else "Ogiltig begäran"
