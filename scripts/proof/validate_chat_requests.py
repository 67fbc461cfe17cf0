"""Checks chat-completions request bodies against `CreateChatCompletionRequest` of specs/openai-openapi.json with
the reference `jsonschema` validator (Draft 2020-12, as OpenAPI 3.1 uses), so that a test can compare its verdicts
with the Swift checker of the OpenAI double.

Reads a JSON list of bodies on stdin; prints a JSON list with, for each body, null when valid or the first error.
"""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

spec = json.loads((pathlib.Path(__file__).resolve().parents[2] / "specs" / "openai-openapi.json").read_text())
registry = Registry().with_resource("urn:openai", Resource(contents=spec, specification=DRAFT202012))
validator = Draft202012Validator({"$ref": "urn:openai#/components/schemas/CreateChatCompletionRequest"}, registry=registry)

verdicts = []
for body in json.load(sys.stdin):
    error = next(iter(sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))), None)
    verdicts.append(None if error is None else f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
print(json.dumps(verdicts))
