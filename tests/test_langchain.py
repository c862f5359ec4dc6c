"""langchain-oci against the emulator, configured as a user configures it for the real service:
``service_endpoint``, ``compartment_id``, an OCI config file and a profile. Chat (Cohere and Meta),
streams, tool round trips, structured output, the async transports (the SDK's async client and
langchain-oci's own signed aiohttp requests), embeddings in batches of 96 and a small RAG chain."""

from __future__ import annotations

import asyncio
import math

import jsonschema
import pytest
import requests
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from conftest import COMPARTMENT, admin, make_oci_config, write_oci_config_file
from emulator.server import BackgroundServer
from emulator.settings import Settings

pytest.importorskip("langchain_oci")
from langchain_oci import ChatOCIGenAI, OCIGenAIEmbeddings  # noqa: E402
from langchain_oci.common import async_support  # noqa: E402

COHERE = "cohere.command-r-08-2024"
LLAMA = "meta.llama-3.3-70b-instruct"
EMBED = "cohere.embed-v4.0"
QUESTION = "Explain vector databases"

pytestmark = pytest.mark.filterwarnings(
    # langchain-oci warns whenever a GENERIC answer has no text, which is what a tool-call answer is
    "ignore:GenericProvider could not extract text:UserWarning"
)


def journal(url: str, operation: str) -> list[dict]:
    return admin(url, f"requests?operation={operation}")["items"]


@tool
def get_weather(city: str) -> str:
    """Get the weather forecast of a city."""
    return f"Sunny in {city}, 21 C"


WEATHER_RULES = [
    {"pattern": r"weather (?:forecast )?in (\w+)",
     "toolCalls": [{"name": "get_weather", "arguments": {"city": "{1}"}}]},
    {"pattern": r"weather", "lastTurn": "tool", "reply": "The tool says: {tool}"},
]


# -- chat -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [COHERE, LLAMA])
def test_invoke_signs_with_the_profile_and_reports_usage(framework_settings, oci_config, model):
    answer = ChatOCIGenAI(model_id=model, **framework_settings).invoke(QUESTION)
    assert "vector" in answer.content.lower()
    usage = answer.usage_metadata
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert answer.response_metadata["finish_reason"] == ("COMPLETE" if model == COHERE else "stop")
    [call] = journal(framework_settings["service_endpoint"], "chat")
    assert (call["status"], call["tenancy"]) == (200, oci_config["tenancy"])  # signed with the file's key


@pytest.mark.parametrize("model", [COHERE, LLAMA])
def test_stream_arrives_in_pieces_and_ends_with_usage(framework_settings, model):
    llm = ChatOCIGenAI(model_id=model, **framework_settings)
    whole = llm.invoke(QUESTION)
    chunks = list(llm.stream(QUESTION))
    assert sum(1 for c in chunks if c.content) > 3
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert merged.content == whole.content
    # usage rides on the COHERE finish event and on the GENERIC usage-only event after it
    assert merged.usage_metadata["output_tokens"] == whole.usage_metadata["output_tokens"]
    assert merged.usage_metadata["total_tokens"] == whole.usage_metadata["total_tokens"]


@pytest.mark.parametrize("model", [COHERE, LLAMA])
def test_bind_tools_round_trip(framework_settings, model):
    admin(framework_settings["service_endpoint"], "rules", {"rules": WEATHER_RULES})
    llm = ChatOCIGenAI(model_id=model, **framework_settings).bind_tools([get_weather])
    messages = [HumanMessage("What is the weather forecast in Paris?")]

    asked = llm.invoke(messages)
    [call] = asked.tool_calls
    assert (call["name"], call["args"]) == ("get_weather", {"city": "Paris"}) and call["id"]
    messages += [asked, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])]

    final = llm.invoke(messages)
    assert not final.tool_calls
    assert final.content.startswith("The tool says:") and "Sunny in Paris, 21 C" in final.content


def test_bind_tools_with_the_default_generator(framework_settings):
    """No rules: the model calls the tool its question names, with arguments that fit the tool's schema,
    and answers from the tool's result."""
    llm = ChatOCIGenAI(model_id=LLAMA, **framework_settings).bind_tools([get_weather])
    messages = [HumanMessage("What is the weather forecast in Paris?")]
    asked = llm.invoke(messages)
    [call] = asked.tool_calls
    assert call["name"] == "get_weather" and isinstance(call["args"]["city"], str)
    final = llm.invoke([*messages, asked, ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])])
    assert not final.tool_calls and "sunny" in final.content.lower()


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str = Field(description="The person's first name")
    age: int = Field(description="Age in years", ge=0, le=150)


PERSON_SCHEMA = {
    "title": "Person",
    "description": "A person mentioned in the text.",
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0, "maximum": 150}},
    "required": ["name", "age"],
}


def test_structured_output_through_a_tool_call(framework_settings):
    """Cohere has no tool_choice: ``function_calling`` relies on the model calling the tool."""
    admin(framework_settings["service_endpoint"], "rules", {
        "pattern": r"(\w+) is (\d+) years old",
        "toolCalls": [{"name": "Person", "arguments": {"name": "{1}", "age": "{2}"}}],
    })
    person = ChatOCIGenAI(model_id=COHERE, **framework_settings).with_structured_output(Person).invoke(
        "Alice is 31 years old and lives in Lyon."
    )
    assert person == Person(name="Alice", age=31)


@pytest.mark.parametrize("schema", [Person, PERSON_SCHEMA], ids=["pydantic", "json-schema"])
def test_structured_output_with_a_response_schema(framework_settings, schema):
    """``json_schema`` sends ``responseFormat``: the answer validates against the schema, as it must."""
    llm = ChatOCIGenAI(model_id=LLAMA, **framework_settings).with_structured_output(schema, method="json_schema")
    answer = llm.invoke("Alice is 31 years old and lives in Lyon.")
    if schema is Person:
        assert isinstance(answer, Person)  # validated by pydantic, bounds included
    else:
        jsonschema.validate(answer, PERSON_SCHEMA)


# -- async: both transports, against a server that checks every signature ----------------------------


@pytest.fixture(scope="module")
def strict_emulator():
    """``serve --auth strict``: RSA signatures, dates and body hashes checked, keys trusted one by one."""
    server = BackgroundServer(Settings(port=0, auth="strict")).start()
    yield server
    server.stop()


@pytest.fixture(params=["sdk-async-client", "signed-aiohttp"])
def transport(request, monkeypatch) -> str:
    """langchain-oci's async path uses the SDK's AsyncGenerativeAiInferenceClient when the SDK has one,
    else signs and sends the HTTP requests itself with aiohttp: both are run."""
    if request.param == "signed-aiohttp":
        monkeypatch.setattr(async_support, "_load_native_async_client_cls", lambda: None)
    return request.param


def strict_settings(server, tmp_path, trusted: bool = True) -> dict:
    config = make_oci_config(tmp_path, "ocid1.tenancy.oc1..aaaaaaaaasynctenancy", "async")
    if trusted:
        with open(config["key_file"]) as key:
            assert requests.post(f"{server.url}/_emulator/keys", json={"publicKey": key.read()}).ok
    config_file = write_oci_config_file(tmp_path / "config", "ASYNC", config)
    return {
        "service_endpoint": server.url,
        "compartment_id": COMPARTMENT,
        "auth_file_location": config_file.path,
        "auth_profile": config_file.profile,
    }


def test_ainvoke_astream_and_async_tools(strict_emulator, transport, tmp_path):
    framework_settings = strict_settings(strict_emulator, tmp_path)

    async def scenario():
        for model in (COHERE, LLAMA):
            llm = ChatOCIGenAI(model_id=model, **framework_settings)
            assert (llm._async_client._native is not None) == (transport == "sdk-async-client")
            try:
                whole = llm.invoke(QUESTION).content
                assert (await llm.ainvoke(QUESTION)).content == whole
                assert "".join([chunk.content async for chunk in llm.astream(QUESTION)]) == whole

                with_tools = llm.bind_tools([get_weather])
                messages = [HumanMessage("What is the weather forecast in Paris?")]
                asked = await with_tools.ainvoke(messages)
                [call] = asked.tool_calls
                assert call["name"] == "get_weather" and call["id"]
                result = ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])
                final = await with_tools.ainvoke([*messages, asked, result])
                assert not final.tool_calls and "sunny" in final.content.lower()
            finally:
                await llm.aclose()

        embeddings = OCIGenAIEmbeddings(model_id=EMBED, **framework_settings)
        try:
            vectors = await embeddings.aembed_documents([f"note {i}" for i in range(100)])
            assert [len(v) for v in vectors] == [1536] * 100
            assert vectors == embeddings.embed_documents([f"note {i}" for i in range(100)])
        finally:
            await embeddings.aclose()

    asyncio.run(scenario())


def test_async_requests_from_an_untrusted_key_are_refused(strict_emulator, transport, tmp_path):
    llm = ChatOCIGenAI(model_id=LLAMA, **strict_settings(strict_emulator, tmp_path, trusted=False))

    async def call():
        try:
            await llm.ainvoke(QUESTION)
        finally:
            await llm.aclose()

    with pytest.raises(async_support.OCIAsyncRequestError) as refused:
        asyncio.run(call())
    assert refused.value.status == 401 and "NotAuthenticated" in refused.value.body


# -- embeddings and RAG ------------------------------------------------------------------------------


def norm(vector) -> float:
    return math.sqrt(sum(x * x for x in vector))


def cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b)) / (norm(a) * norm(b))


def test_embed_documents_in_batches_of_96_and_embed_query(framework_settings):
    embeddings = OCIGenAIEmbeddings(model_id=EMBED, **framework_settings)
    texts = [f"Note {i}: the {['red', 'green', 'blue'][i % 3]} team met on day {i}." for i in range(200)]
    vectors = embeddings.embed_documents(texts)
    assert [len(v) for v in vectors] == [1536] * 200
    assert all(abs(norm(v) - 1) < 1e-4 for v in vectors)
    calls = journal(framework_settings["service_endpoint"], "embed_text")
    assert [c["status"] for c in calls] == [200, 200, 200]  # 96 + 96 + 8: the service takes at most 96 inputs
    assert embeddings.embed_documents(texts[150:151]) == [vectors[150]]  # batching does not change a vector

    query = embeddings.embed_query("Which team met on day 7?")
    assert len(query) == 1536
    assert max(range(200), key=lambda i: cosine(query, vectors[i])) == 7


DOCUMENTS = [
    "Paris is the capital and largest city of France, on the river Seine.",
    "Mitochondria are the organelles that produce most of a cell's chemical energy.",
    "The Pacific Ocean is the largest and deepest ocean on Earth.",
    "Python is a programming language known for its readable syntax.",
    "Bananas are a fruit rich in potassium and fiber.",
]


def test_rag_chain_answers_from_the_nearest_document(framework_settings):
    admin(framework_settings["service_endpoint"], "rules", {
        "model": COHERE,
        "pattern": r"Context: (?P<context>.+?)\n+Question: (?P<question>.+)",
        "reply": "From the context: {context}",
    })
    embeddings = OCIGenAIEmbeddings(model_id=EMBED, **framework_settings)
    index = list(zip(DOCUMENTS, embeddings.embed_documents(DOCUMENTS)))

    def retrieve(question: str) -> str:
        query = embeddings.embed_query(question)
        return max(index, key=lambda item: cosine(query, item[1]))[0]

    prompt = ChatPromptTemplate.from_messages([
        ("system", "Answer the question using only the context."),
        ("human", "Context: {context}\n\nQuestion: {question}"),
    ])
    chain = (
        {"context": RunnableLambda(retrieve), "question": RunnablePassthrough()}
        | prompt
        | ChatOCIGenAI(model_id=COHERE, **framework_settings)
        | StrOutputParser()
    )
    for question, expected in [
        ("What is the capital city of France?", 0),
        ("Which organelle produces energy in a cell?", 1),
        ("Which ocean is the deepest?", 2),
        ("Which fruit is rich in potassium?", 4),
    ]:
        assert retrieve(question) == DOCUMENTS[expected]
        assert chain.invoke(question) == f"From the context: {DOCUMENTS[expected]}"
