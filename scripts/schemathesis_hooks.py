"""Schemathesis hooks for scripts/api-contract.sh: a sharper acceptance check for 422.

A request that fits the schema may still be refused with 422 for a rule JSON Schema cannot state:
a phone valid for the case's country, a date not in the future, a due date within two years, a
minor's consent given by a guardian, an id that names no record, a referral without consent. It
must never be refused for what the document does state: a required field, a length, a date's
format, a code of a list. The configuration lets positive tests meet 422; this check then fails
every positive test whose 422 names a problem of the second kind on a field the document describes.

The document is read from the file ANTITRATA_OPENAPI names (the script saves it there).
"""

import json
import os

import schemathesis

with open(os.environ["ANTITRATA_OPENAPI"], encoding="utf-8") as file:
    DOCUMENT = json.load(file)


def resolve(schema):
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = DOCUMENT["components"]["schemas"][name]
    return schema


def properties(schema, out, required):
    """The properties a body schema names, and those it requires, through $ref and allOf (a
    property anyOf or oneOf requires is not required on its own)."""
    schema = resolve(schema)
    if not isinstance(schema, dict):
        return
    for name, field in schema.get("properties", {}).items():
        out.setdefault(name, resolve(field))
    if required is not None:
        required.update(schema.get("required", []))
    for part in schema.get("allOf", []):
        properties(part, out, required)
    for key in ("anyOf", "oneOf"):
        for part in schema.get(key, []):
            properties(part, out, None)


def described_fields(method, path):
    """The fields an operation's document names, and the ones it says are required."""
    operation = DOCUMENT["paths"][path][method.lower()]
    fields, required = {}, set()
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        properties(body["schema"], fields, required)
    for parameter in operation.get("parameters", []):
        fields[parameter["name"]] = resolve(parameter.get("schema", {}))
        if parameter.get("required"):
            required.add(parameter["name"])
    return fields, required


def has_list(schema):
    """Whether the field's values come from a list (an enum, or an array of one)."""
    schema = resolve(schema)
    if "enum" in schema:
        return True
    for part in schema.get("oneOf", []) + schema.get("anyOf", []):
        if has_list(part):
            return True
    return "items" in schema and has_list(schema["items"])


def stated_by(schema, problem, required):
    """Whether the document, as written for this field, already refuses what `problem` says."""
    if problem == "required":
        # Required only in some cases (a reason to close a case): JSON Schema would need if/then.
        return required
    if problem == "too-long":
        return True
    if problem == "bad-date":
        return resolve(schema).get("format") in ("date", "date-time")
    if problem in ("unknown-code", "bad-country"):
        return has_list(schema)
    return False


@schemathesis.check
def refused_only_for_rules_beyond_the_schema(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    fields, required = described_fields(case.operation.method, case.operation.path)
    stated = [
        f"{error['field']}: {error['problem']}"
        for error in response.json().get("errors", [])
        if error["field"] in fields
        and stated_by(fields[error["field"]], error["problem"], error["field"] in required)
    ]
    if stated:
        raise AssertionError(
            "A request that fits the schema was refused for what the schema should have said: "
            + ", ".join(stated)
        )
    return None
