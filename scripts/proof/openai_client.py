"""The official `openai` package against the OpenAI double: a chat completion with a tool call, the tool's
result sent back, and a rate-limit error. Prints one JSON object; exits non-zero on any surprise.

Environment: OPENAI_BASE_URL, OPENAI_API_KEY. The double's script is set by the caller (the Swift test).
"""
import json
import os

import openai
from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"], max_retries=0, timeout=10)
tools = [
    {
        "type": "function",
        "function": {
            "name": "read",
            "description": "Read a file of the workspace.",
            "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
        },
    }
]
messages = [
    {"role": "system", "content": "You answer questions about files."},
    {"role": "user", "content": "What is in README.md?"},
]

first = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=tools)
call = first.choices[0].message.tool_calls[0]
arguments = json.loads(call.function.arguments)
messages.append(
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": call.function.arguments}}],
    }
)
messages.append({"role": "tool", "tool_call_id": call.id, "content": "hello from the README"})
second = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=tools)

rate_limit = None
try:
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "again"}])
except openai.RateLimitError as error:
    rate_limit = {"status": error.status_code, "code": error.code, "retry_after": error.response.headers.get("retry-after")}

print(
    json.dumps(
        {
            "finish_reason": first.choices[0].finish_reason,
            "tool": call.function.name,
            "tool_call_id": call.id,
            "arguments": arguments,
            "answer": second.choices[0].message.content,
            "prompt_tokens": second.usage.prompt_tokens,
            "cached_tokens": second.usage.prompt_tokens_details.cached_tokens,
            "rate_limit": rate_limit,
        }
    )
)
