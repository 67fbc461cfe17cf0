"""The official `openai` package streams from the OpenAI double: a text answer with its usage chunk, then tool
calls whose arguments arrive in fragments, assembled the way the package's documentation shows. Prints one JSON
object; exits non-zero on any surprise.

Environment: OPENAI_BASE_URL, OPENAI_API_KEY. The double's script is set by the caller (the Swift test).
"""
import json
import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"], max_retries=0, timeout=10)

text = []
usage = None
finish = None
for chunk in client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "count"}], stream=True, stream_options={"include_usage": True}
):
    if chunk.usage is not None:
        usage = {"prompt": chunk.usage.prompt_tokens, "completion": chunk.usage.completion_tokens}
    for choice in chunk.choices:
        if choice.delta.content:
            text.append(choice.delta.content)
        if choice.finish_reason:
            finish = choice.finish_reason

calls = {}
tool_finish = None
tools = [{"type": "function", "function": {"name": "grep", "parameters": {"type": "object", "properties": {}}}}]
for chunk in client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "find"}], tools=tools, stream=True
):
    for choice in chunk.choices:
        for call in choice.delta.tool_calls or []:
            entry = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
            if call.id:
                entry["id"] = call.id
            if call.function and call.function.name:
                entry["name"] = call.function.name
            if call.function and call.function.arguments:
                entry["arguments"] += call.function.arguments
        if choice.finish_reason:
            tool_finish = choice.finish_reason

print(
    json.dumps(
        {
            "text": "".join(text),
            "chunks": len(text),
            "finish_reason": finish,
            "usage": usage,
            "calls": [calls[index] for index in sorted(calls)],
            "tool_finish_reason": tool_finish,
        }
    )
)
