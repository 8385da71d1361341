"""/api/v1/reference: the OpenAPI document as a page, written from the document itself on the
server (no script, so within the app's Content-Security-Policy, and no other site's viewer)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

reference = Blueprint("api_reference", __name__, template_folder="templates")
METHODS = ("get", "put", "post", "delete", "patch")


def document() -> dict:
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api.spec.to_dict()


@reference.route("/api/v1/reference")
def page():
    spec = document()
    operations = [
        (
            path,
            method,
            {**item[method], "parameters": [*shared, *item[method].get("parameters", [])]},
        )
        for path, item in spec["paths"].items()
        for shared in [item.get("parameters", [])]
        for method in METHODS
        if method in item
    ]
    return render_template(
        "api/reference.html",
        spec=spec,
        operations=operations,
        schemas=spec.get("components", {}).get("schemas", {}),
        schema_name=schema_name,
        type_of=type_of,
    )


def schema_name(schema: dict | None) -> str:
    """'Company', 'list of Company', 'object' for a schema or its $ref."""
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return "list of " + schema_name(schema.get("items"))
    return type_of(schema)


def type_of(schema: dict) -> str:
    if "$ref" in schema or schema.get("type") == "array":
        return schema_name(schema)
    kind = schema.get("type", "object")
    kinds = [kind] if isinstance(kind, str) else list(kind)
    text = " or ".join(kinds)
    if "enum" in schema:
        text += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    return text
