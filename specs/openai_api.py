"""The OpenAI-compatible API's document (``specs/openai.json``), written here by hand.

The oci SDK has no client for this API, so unlike the other specs it cannot be generated from
the SDK: its operations and schemas follow OpenAI's API reference and OCI's documentation of the
OpenAI-compatible endpoints, reduced to what the emulator checks. Edit this file, then ``make specs`` writes the JSON;
``tests/test_specs.py`` fails when the two differ.
"""

from __future__ import annotations

OPEN = {"type": "object", "additionalProperties": True}
STR = {"type": "string"}
INT = {"type": "integer"}
NUM = {"type": "number"}
BOOL = {"type": "boolean"}
META = {"type": "object", "additionalProperties": {"type": "string"}, "description": "Up to 16 string values."}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def err():
    return {"description": "An error.", "headers": {"x-request-id": {"schema": STR}, "opc-request-id": {"schema": STR}},
            "content": {"application/json": {"schema": ref("Error")}}}


SCOPE_HEADERS = [
    {"name": "openai-project", "in": "header", "required": False, "schema": STR, "description": "The Generative AI project (OCID) the call works in (`project=` of the openai client)."},
    {"name": "opc-compartment-id", "in": "header", "required": False, "schema": STR, "description": "Before projects: the compartment (OCID)."},
    {"name": "compartmentid", "in": "header", "required": False, "schema": STR, "description": "Before projects: the compartment (OCID), as oci-openai sends it."},
    {"name": "opc-conversation-store-id", "in": "header", "required": False, "schema": STR, "description": "Before projects: the conversation store (OCID)."},
]


def op(op_id, summary, body=None, response=None, params=None, status=200, stream=False, required_body=True):
    o = {"operationId": op_id, "summary": summary, "parameters": (params or []) + SCOPE_HEADERS}
    if body is not None:
        o["requestBody"] = {"required": required_body, "content": {"application/json": {"schema": body}}}
    resp = {"description": summary, "headers": {"x-request-id": {"schema": STR}, "opc-request-id": {"schema": STR}}}
    if response is not None:
        resp["content"] = {"application/json": {"schema": response}}
        if stream:
            resp["content"]["text/event-stream"] = {"schema": {"type": "object", "description": "One Server-Sent Event: `event: <type>` and `data: <JSON>` (Responses), or `data: <chunk>` ending with `data: [DONE]` (Chat Completions).", "properties": {"data": STR}}}
    o["responses"] = {str(status): resp, "default": err()}
    return o


def path_param(name, desc):
    return {"name": name, "in": "path", "required": True, "schema": STR, "description": desc}


def query(name, schema, desc):
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}


MULTIPART = "multipart/form-data"
MANAGEMENT_SERVER = [{"url": "/20231130/openai/v1"}]


def multipart_op(op_id, summary, fields, response, params=None, required=("file",)):
    o = op(op_id, summary, None, response, params)
    schema = {"type": "object", "additionalProperties": True, "properties": fields}
    if required:
        schema["required"] = list(required)
    o["requestBody"] = {"required": True, "content": {MULTIPART: {"schema": schema}}}
    return o


CURSOR = [
    query("after", STR, "The id after which the page starts."),
    query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Items per page (1-100, default 20)."),
    query("order", {"type": "string", "enum": ["asc", "desc"]}, "Order by creation (default desc)."),
]
INCLUDE = query("include", {"type": "array", "items": STR}, "Additional output to include.")
INCLUDE["style"] = "form"
INCLUDE["explode"] = True

create_response = {
    "type": "object",
    "required": ["model"],
    "additionalProperties": True,
    "description": "A model response request (OpenAI Responses API).",
    "properties": {
        "model": {"type": "string", "description": "A model name (`openai.gpt-oss-120b`) or a dedicated endpoint OCID."},
        "input": {"oneOf": [STR, {"type": "array", "items": OPEN}]},
        "instructions": STR,
        "tools": {"type": "array", "items": OPEN},
        "tool_choice": {"oneOf": [STR, OPEN]},
        "parallel_tool_calls": BOOL,
        "previous_response_id": STR,
        "conversation": {"oneOf": [STR, OPEN]},
        "store": BOOL,
        "stream": BOOL,
        "background": BOOL,
        "metadata": META,
        "max_output_tokens": {"type": "integer", "minimum": 1},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "text": OPEN,
        "include": {"type": "array", "items": STR},
        "reasoning": OPEN,
        "truncation": {"type": "string", "enum": ["auto", "disabled"]},
        "user": STR,
        "stream_options": OPEN,
    },
}
response = {
    "type": "object",
    "required": ["id", "object", "created_at", "status", "model", "output"],
    "properties": {
        "id": STR, "object": {"type": "string", "enum": ["response"]}, "created_at": INT,
        "status": {"type": "string", "enum": ["completed", "failed", "in_progress", "cancelled", "queued", "incomplete"]},
        "model": STR, "output": {"type": "array", "items": ref("OutputItem")}, "error": {"nullable": True, **OPEN},
        "incomplete_details": {"nullable": True, **OPEN}, "instructions": {"nullable": True, "type": "string"},
        "metadata": OPEN, "usage": {"nullable": True, **ref("ResponseUsage")}, "previous_response_id": {"nullable": True, "type": "string"},
        "conversation": {"nullable": True, **OPEN}, "store": BOOL, "background": BOOL,
    },
}
usage = {"type": "object", "required": ["input_tokens", "output_tokens", "total_tokens"], "properties": {
    "input_tokens": INT, "output_tokens": INT, "total_tokens": INT,
    "input_tokens_details": OPEN, "output_tokens_details": OPEN}}
item = {"type": "object", "required": ["type"], "additionalProperties": True, "properties": {"id": STR, "type": STR, "status": STR}}
item_list = {"type": "object", "required": ["object", "data", "has_more"], "properties": {
    "object": {"type": "string", "enum": ["list"]}, "data": {"type": "array", "items": ref("OutputItem")},
    "first_id": {"nullable": True, "type": "string"}, "last_id": {"nullable": True, "type": "string"}, "has_more": BOOL}}
deleted = {"type": "object", "required": ["id", "object", "deleted"], "properties": {"id": STR, "object": STR, "deleted": BOOL}}
conversation = {"type": "object", "required": ["id", "object", "created_at", "metadata"], "properties": {
    "id": STR, "object": {"type": "string", "enum": ["conversation"]}, "created_at": INT, "metadata": OPEN}}
create_conversation = {"type": "object", "additionalProperties": True, "properties": {
    "items": {"type": "array", "items": OPEN, "maxItems": 20}, "metadata": META}}
update_conversation = {"type": "object", "required": ["metadata"], "additionalProperties": True, "properties": {"metadata": META}}
create_items = {"type": "object", "required": ["items"], "additionalProperties": True, "properties": {
    "items": {"type": "array", "items": OPEN, "minItems": 1, "maxItems": 20}}}
chat_request = {"type": "object", "required": ["model", "messages"], "additionalProperties": True, "properties": {
    "model": STR, "messages": {"type": "array", "items": OPEN, "minItems": 1},
    "stream": BOOL, "stream_options": OPEN, "tools": {"type": "array", "items": OPEN},
    "tool_choice": {"oneOf": [STR, OPEN]}, "parallel_tool_calls": BOOL, "response_format": OPEN,
    "max_tokens": {"type": "integer", "minimum": 1}, "max_completion_tokens": {"type": "integer", "minimum": 1},
    "temperature": {"type": "number", "minimum": 0, "maximum": 2}, "top_p": {"type": "number", "minimum": 0, "maximum": 1},
    "n": {"type": "integer", "minimum": 1, "maximum": 128}, "stop": {"oneOf": [STR, {"type": "array", "items": STR}]},
    "seed": INT, "reasoning_effort": STR, "user": STR, "metadata": META}}
chat_completion = {"type": "object", "required": ["id", "object", "created", "model", "choices"], "properties": {
    "id": STR, "object": {"type": "string", "enum": ["chat.completion"]}, "created": INT, "model": STR,
    "choices": {"type": "array", "items": OPEN}, "usage": OPEN}}

file_obj = {"type": "object", "required": ["id", "object", "bytes", "created_at", "filename", "purpose", "status"], "properties": {
    "id": STR, "object": {"type": "string", "enum": ["file"]}, "bytes": INT, "created_at": INT, "filename": STR,
    "purpose": STR, "status": {"type": "string", "enum": ["uploaded", "processed", "error"]},
    "expires_at": {"nullable": True, "type": "integer"}, "status_details": {"nullable": True, "type": "string"}}}
list_of = lambda item: {"type": "object", "required": ["object", "data", "has_more"], "properties": {
    "object": {"type": "string", "enum": ["list"]}, "data": {"type": "array", "items": item},
    "first_id": {"nullable": True, "type": "string"}, "last_id": {"nullable": True, "type": "string"}, "has_more": BOOL}}
counts = {"type": "object", "properties": {k: INT for k in ("in_progress", "completed", "failed", "cancelled", "total")}}
vector_store = {"type": "object", "required": ["id", "object", "created_at", "name", "status", "usage_bytes", "file_counts"], "properties": {
    "id": STR, "object": {"type": "string", "enum": ["vector_store"]}, "created_at": INT, "name": {"nullable": True, "type": "string"},
    "description": {"nullable": True, "type": "string"},
    "status": {"type": "string", "enum": ["expired", "in_progress", "completed"]}, "usage_bytes": INT, "file_counts": counts,
    "last_active_at": {"nullable": True, "type": "integer"}, "metadata": OPEN, "expires_after": {"nullable": True, **OPEN},
    "expires_at": {"nullable": True, "type": "integer"}}}
chunking = {"type": "object", "additionalProperties": True, "properties": {"type": {"type": "string", "enum": ["auto", "static"]}, "static": OPEN}}
create_vector_store = {"type": "object", "additionalProperties": True, "properties": {
    "name": STR, "description": STR, "file_ids": {"type": "array", "items": STR, "maxItems": 500},
    "expires_after": OPEN, "metadata": META, "chunking_strategy": chunking}}
update_vector_store = {"type": "object", "additionalProperties": True, "properties": {"name": {"nullable": True, "type": "string"}, "expires_after": {"nullable": True, **OPEN}, "metadata": {"nullable": True, **META}}}
ATTRS = {"type": "object", "additionalProperties": {"oneOf": [STR, NUM, BOOL]}, "description": "Up to 16 string, number or boolean values."}
vs_file = {"type": "object", "required": ["id", "object", "created_at", "vector_store_id", "status", "usage_bytes"], "properties": {
    "id": STR, "object": {"type": "string", "enum": ["vector_store.file"]}, "created_at": INT, "vector_store_id": STR,
    "status": {"type": "string", "enum": ["in_progress", "completed", "cancelled", "failed"]}, "usage_bytes": INT,
    "last_error": {"nullable": True, **OPEN}, "attributes": {"nullable": True, **OPEN}, "chunking_strategy": OPEN}}
create_vs_file = {"type": "object", "required": ["file_id"], "additionalProperties": True, "properties": {
    "file_id": STR, "attributes": ATTRS, "chunking_strategy": chunking}}
update_vs_file = {"type": "object", "required": ["attributes"], "additionalProperties": True, "properties": {"attributes": {"nullable": True, **ATTRS}}}
batch = {"type": "object", "required": ["id", "object", "created_at", "vector_store_id", "status", "file_counts"], "properties": {
    "id": STR, "object": {"type": "string", "enum": ["vector_store.files_batch"]}, "created_at": INT, "vector_store_id": STR,
    "status": {"type": "string", "enum": ["in_progress", "completed", "cancelled", "failed"]}, "file_counts": counts}}
create_batch = {"type": "object", "additionalProperties": True, "properties": {
    "file_ids": {"type": "array", "items": STR, "minItems": 1, "maxItems": 500}, "files": {"type": "array", "items": OPEN},
    "attributes": ATTRS, "chunking_strategy": chunking}}
search_request = {"type": "object", "required": ["query"], "additionalProperties": True, "properties": {
    "query": {"oneOf": [STR, {"type": "array", "items": STR}]}, "max_num_results": {"type": "integer", "minimum": 1, "maximum": 50},
    "filters": OPEN, "ranking_options": OPEN, "rewrite_query": BOOL}}
search_page = {"type": "object", "required": ["object", "search_query", "data", "has_more"], "properties": {
    "object": {"type": "string", "enum": ["vector_store.search_results.page"]}, "search_query": {"type": "array", "items": STR},
    "data": {"type": "array", "items": OPEN}, "has_more": BOOL, "next_page": {"nullable": True, "type": "string"}}}
container = {"type": "object", "required": ["id", "object", "created_at", "name", "status"], "properties": {
    "id": STR, "object": {"type": "string", "enum": ["container"]}, "created_at": INT, "name": STR,
    "status": {"type": "string", "enum": ["running", "expired"]}, "expires_after": OPEN, "last_active_at": INT,
    "memory_limit": {"type": "string", "enum": ["1g", "4g", "16g", "64g"]}}}
create_container = {"type": "object", "required": ["name"], "additionalProperties": True, "properties": {
    "name": STR, "expires_after": OPEN, "file_ids": {"type": "array", "items": STR}, "memory_limit": {"type": "string", "enum": ["1g", "4g", "16g", "64g"]}}}
container_file = {"type": "object", "required": ["id", "object", "created_at", "container_id", "bytes", "path", "source"], "properties": {
    "id": STR, "object": {"type": "string", "enum": ["container.file"]}, "created_at": INT, "container_id": STR,
    "bytes": INT, "path": STR, "source": STR}}
FILE_ID = path_param("file_id", "The file's id (`file-...`).")
VS_ID = path_param("vector_store_id", "The vector store's id (`vs_...`).")
BATCH_ID = path_param("batch_id", "The file batch's id (`vsfb_...`).")
CONTAINER_ID = path_param("container_id", "The container's id (`cntr_...`).")
PURPOSE = query("purpose", STR, "Only files of this purpose.")
FILTER = query("filter", {"type": "string", "enum": ["in_progress", "completed", "failed", "cancelled"]}, "Only files in this status.")
RESPONSE_ID = path_param("response_id", "The response's id (`resp_...`).")
CONV_ID = path_param("conversation_id", "The conversation's id (`conv_...`).")
ITEM_ID = path_param("item_id", "The item's id.")
doc = {
    "openapi": "3.0.3",
    "info": {
        "title": "OCI Generative AI OpenAI-compatible API (as the emulator serves it)",
        "version": "v1",
        "description": "Written by hand from OpenAI's API reference, the openai SDK and Oracle's documentation of its OpenAI-compatible API (see shared reference openai-compatible.md). Served under /openai/v1, the older /20231130/actions/v1 and /v1 (langchain-oci's Responses transport). Credentials: `Authorization: Bearer <Generative AI API key>` or an OCI request signature; `OpenAI-Project: <project OCID>`. Errors are `{\"error\": {\"message\", \"type\", \"param\", \"code\"}}`.",
    },
    "servers": [{"url": "/openai/v1"}, {"url": "/20231130/actions/v1"}, {"url": "/v1"}],
    "paths": {
        "/responses": {"post": op("CreateResponse", "Create a model response (streamed with `stream: true`).", create_response, ref("Response"), stream=True)},
        "/responses/{response_id}": {
            "get": op("RetrieveResponse", "Get a stored response (streamed with `stream=true`, from `starting_after`).", None, ref("Response"),
                      [RESPONSE_ID, INCLUDE, query("stream", BOOL, "Stream the response's events (background responses)."),
                       query("starting_after", INT, "Resume the stream after this sequence number.")], stream=True),
            "delete": op("DeleteResponse", "Delete a stored response.", None, ref("Deleted"), [RESPONSE_ID]),
        },
        "/responses/{response_id}/cancel": {"post": op("CancelResponse", "Cancel a background response.", None, ref("Response"), [RESPONSE_ID])},
        "/responses/{response_id}/input_items": {"get": op("ListInputItems", "The input items of a response.", None, ref("ItemList"), [RESPONSE_ID, *CURSOR, INCLUDE])},
        "/conversations": {"post": op("CreateConversation", "Create a conversation, optionally with items.", create_conversation, ref("Conversation"), required_body=False)},
        "/conversations/{conversation_id}": {
            "get": op("RetrieveConversation", "Get a conversation.", None, ref("Conversation"), [CONV_ID]),
            "post": op("UpdateConversation", "Replace a conversation's metadata.", update_conversation, ref("Conversation"), [CONV_ID]),
            "delete": op("DeleteConversation", "Delete a conversation and its items.", None, ref("Deleted"), [CONV_ID]),
        },
        "/conversations/{conversation_id}/items": {
            "post": op("CreateConversationItems", "Add items to a conversation.", create_items, ref("ItemList"), [CONV_ID, INCLUDE]),
            "get": op("ListConversationItems", "The items of a conversation.", None, ref("ItemList"), [CONV_ID, *CURSOR, INCLUDE]),
        },
        "/conversations/{conversation_id}/items/{item_id}": {
            "get": op("RetrieveConversationItem", "One item of a conversation.", None, ref("OutputItem"), [CONV_ID, ITEM_ID, INCLUDE]),
            "delete": op("DeleteConversationItem", "Delete an item; answers the conversation.", None, ref("Conversation"), [CONV_ID, ITEM_ID]),
        },
        "/files": {
            "post": multipart_op("CreateFile", "Upload a file (multipart: file, purpose).", {"file": {"type": "string", "format": "binary"}, "purpose": STR, "expires_after[anchor]": STR, "expires_after[seconds]": STR}, ref("File"), required=("file", "purpose")),
            "get": op("ListFiles", "The project's files.", None, ref("FileList"), [*CURSOR, PURPOSE]),
        },
        "/files/{file_id}": {
            "get": op("RetrieveFile", "A file's description.", None, ref("File"), [FILE_ID]),
            "delete": op("DeleteFile", "Delete a file.", None, ref("Deleted"), [FILE_ID]),
        },
        "/files/{file_id}/content": {"get": {**op("RetrieveFileContent", "A file's bytes.", None, None, [FILE_ID]),
                                             "responses": {"200": {"description": "The file's bytes.", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "default": err()}}},
        "/vector_stores": {
            "servers": MANAGEMENT_SERVER,
            "post": op("CreateVectorStore", "Create a vector store (management host, compartment header).", create_vector_store, ref("VectorStore"), required_body=False),
            "get": op("ListVectorStores", "The compartment's vector stores.", None, ref("VectorStoreList"), [*CURSOR, query("before", STR, "The id before which the page ends.")]),
        },
        "/vector_stores/{vector_store_id}": {
            "servers": MANAGEMENT_SERVER,
            "get": op("RetrieveVectorStore", "A vector store.", None, ref("VectorStore"), [VS_ID]),
            "post": op("UpdateVectorStore", "Rename a vector store, or change its metadata or expiry.", update_vector_store, ref("VectorStore"), [VS_ID]),
            "delete": op("DeleteVectorStore", "Delete a vector store (its files stay).", None, ref("Deleted"), [VS_ID]),
        },
        "/vector_stores/{vector_store_id}/files": {
            "post": op("CreateVectorStoreFile", "Add a file to a vector store: it is chunked and indexed.", create_vs_file, ref("VectorStoreFile"), [VS_ID]),
            "get": op("ListVectorStoreFiles", "The files of a vector store.", None, ref("VectorStoreFileList"), [VS_ID, *CURSOR, FILTER]),
        },
        "/vector_stores/{vector_store_id}/files/{file_id}": {
            "get": op("RetrieveVectorStoreFile", "A file of a vector store.", None, ref("VectorStoreFile"), [VS_ID, FILE_ID]),
            "post": op("UpdateVectorStoreFile", "Replace a file's attributes.", update_vs_file, ref("VectorStoreFile"), [VS_ID, FILE_ID]),
            "delete": op("DeleteVectorStoreFile", "Take a file out of a vector store (the file stays).", None, ref("Deleted"), [VS_ID, FILE_ID]),
        },
        "/vector_stores/{vector_store_id}/files/{file_id}/content": {"get": op("RetrieveVectorStoreFileContent", "A file's parsed text, by chunk.", None, ref("ContentPage"), [VS_ID, FILE_ID])},
        "/vector_stores/{vector_store_id}/file_batches": {"post": op("CreateVectorStoreFileBatch", "Add several files at once.", create_batch, ref("FileBatch"), [VS_ID])},
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}": {"get": op("RetrieveVectorStoreFileBatch", "A file batch.", None, ref("FileBatch"), [VS_ID, BATCH_ID])},
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel": {"post": op("CancelVectorStoreFileBatch", "Cancel a file batch's unfinished files.", None, ref("FileBatch"), [VS_ID, BATCH_ID])},
        "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files": {"get": op("ListVectorStoreFileBatchFiles", "The files of a batch.", None, ref("VectorStoreFileList"), [VS_ID, BATCH_ID, *CURSOR, FILTER])},
        "/vector_stores/{vector_store_id}/search": {"post": op("SearchVectorStore", "Search a vector store's chunks.", search_request, ref("SearchPage"), [VS_ID])},
        "/containers": {
            "post": op("CreateContainer", "Create a container (for the code interpreter).", create_container, ref("Container")),
            "get": op("ListContainers", "The project's containers.", None, ref("ContainerList"), CURSOR),
        },
        "/containers/{container_id}": {
            "get": op("RetrieveContainer", "A container.", None, ref("Container"), [CONTAINER_ID]),
            "delete": op("DeleteContainer", "Delete a container.", None, ref("Deleted"), [CONTAINER_ID]),
        },
        "/containers/{container_id}/files": {
            "post": multipart_op("CreateContainerFile", "Add a file to a container (multipart `file`, or JSON `file_id`).", {"file": {"type": "string", "format": "binary"}, "file_id": STR}, ref("ContainerFile"), [CONTAINER_ID], required=()),
            "get": op("ListContainerFiles", "The files of a container.", None, ref("ContainerFileList"), [CONTAINER_ID, *CURSOR]),
        },
        "/containers/{container_id}/files/{file_id}": {
            "get": op("RetrieveContainerFile", "A file of a container.", None, ref("ContainerFile"), [CONTAINER_ID, FILE_ID]),
            "delete": op("DeleteContainerFile", "Delete a file of a container.", None, ref("Deleted"), [CONTAINER_ID, FILE_ID]),
        },
        "/containers/{container_id}/files/{file_id}/content": {"get": {**op("RetrieveContainerFileContent", "A container file's bytes.", None, None, [CONTAINER_ID, FILE_ID]),
                                                                       "responses": {"200": {"description": "The file's bytes.", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "default": err()}}},
        "/chat/completions": {"post": op("CreateChatCompletion", "Create a chat completion (streamed with `stream: true`).", chat_request, ref("ChatCompletion"), stream=True)},
    },
    "components": {"schemas": {
        "CreateResponseRequest": create_response, "Response": response, "ResponseUsage": usage, "OutputItem": item,
        "ItemList": item_list, "Deleted": deleted, "Conversation": conversation, "ChatCompletion": chat_completion,
        "File": file_obj, "FileList": list_of(ref("File")), "VectorStore": vector_store, "VectorStoreList": list_of(ref("VectorStore")),
        "VectorStoreFile": vs_file, "VectorStoreFileList": list_of(ref("VectorStoreFile")), "FileBatch": batch,
        "SearchPage": search_page, "Container": container, "ContainerList": list_of(ref("Container")),
        "ContainerFile": container_file, "ContainerFileList": list_of(ref("ContainerFile")),
        "ContentPage": {"type": "object", "properties": {"object": STR, "data": {"type": "array", "items": OPEN}, "has_more": BOOL}},
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["message", "type"], "properties": {
            "message": STR, "type": STR, "param": {"nullable": True, "type": "string"}, "code": {"nullable": True, "type": "string"}}}}},
    }},
}
# request bodies by reference, as the SDK-generated documents have them
for path, methods in doc["paths"].items():
    for method, o in methods.items():
        if method == "servers":
            continue
        body = o.get("requestBody")
        if body and "application/json" in body["content"]:
            schema = body["content"]["application/json"]["schema"]
            if "$ref" in schema:
                continue
            names = {id(create_response): "CreateResponseRequest", id(create_conversation): "CreateConversationRequest",
                     id(update_conversation): "UpdateConversationRequest", id(create_items): "CreateConversationItemsRequest",
                     id(chat_request): "CreateChatCompletionRequest", id(create_vector_store): "CreateVectorStoreRequest",
                     id(update_vector_store): "UpdateVectorStoreRequest", id(create_vs_file): "CreateVectorStoreFileRequest",
                     id(update_vs_file): "UpdateVectorStoreFileRequest", id(create_batch): "CreateFileBatchRequest",
                     id(search_request): "SearchVectorStoreRequest", id(create_container): "CreateContainerRequest"}
            name = names[id(schema)]
            doc["components"]["schemas"][name] = schema
            body["content"]["application/json"]["schema"] = ref(name)


def nullable_optionals(schema):
    """Mark every optional field of a request body nullable, at any depth: a ``null`` field is read as
    an absent one (as OpenAI's API reads it), so only a required field may not be null."""
    if isinstance(schema, dict):
        required = set(schema.get("required", []))
        for name, field in (schema.get("properties") or {}).items():
            if name not in required and isinstance(field, dict) and "$ref" not in field:
                field["nullable"] = True
        for value in schema.values():
            nullable_optionals(value)
    elif isinstance(schema, list):
        for value in schema:
            nullable_optionals(value)


for _name, _schema in doc["components"]["schemas"].items():
    if _name.endswith("Request"):
        nullable_optionals(_schema)
for _methods in doc["paths"].values():
    for _o in _methods.values():
        for _media in (_o.get("requestBody", {}) if isinstance(_o, dict) else {}).get("content", {}).values():
            nullable_optionals(_media["schema"])  # forms too: a field sent as "null" is no value
