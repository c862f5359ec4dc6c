"""Retrieval-augmented generation with the plain oci SDK: embed a few documents, embed the question,
retrieve the nearest documents by cosine similarity, and ask a chat model to answer from them.

    python examples/rag.py "What is the capital of France?"
    python examples/rag.py --model cohere.command-r-08-2024 --top-k 2 "Which ocean is the deepest?"

Works against the emulator (the default endpoint) and, with a real config, profile and compartment,
against OCI Generative AI itself. Cohere models get the passages as ``documents`` and answer with
citations; GENERIC models (Meta, xAI, OpenAI, ...) get them in the user message, ahead of the question.
"""

from __future__ import annotations

import argparse
import math
import os

import oci
from oci.generative_ai_inference import GenerativeAiInferenceClient
from oci.generative_ai_inference import models as m

DOCUMENTS = [
    "Paris is the capital and largest city of France. The Seine flows through it.",
    "Mitochondria are the organelles that produce most of the chemical energy of a cell.",
    "The Pacific Ocean is the largest and deepest ocean on Earth; the Mariana Trench lies in it.",
    "Python is a programming language known for its readable syntax and large standard library.",
    "Bananas are a fruit rich in potassium and fiber, grown in tropical regions.",
    "Mount Everest, in the Himalayas, is the highest mountain above sea level.",
]
BATCH = 96  # the service embeds at most 96 inputs per request


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("question", nargs="?", default="What is the capital of France?")
    parser.add_argument("--endpoint", default="http://127.0.0.1:8080", help="service endpoint (default: the emulator)")
    parser.add_argument("--config-file", default="~/.oci-genai-emulator/config", help="OCI config file")
    parser.add_argument("--profile", default="DEFAULT", help="profile in the config file")
    parser.add_argument(
        "--compartment", default=os.environ.get("OCI_COMPARTMENT_ID", "ocid1.compartment.oc1..aaaaaaaaexample")
    )
    parser.add_argument("--embed-model", default="cohere.embed-v4.0")
    parser.add_argument("--model", default="meta.llama-3.3-70b-instruct", help="chat model")
    parser.add_argument("--top-k", type=int, default=1, help="documents to retrieve (default 1)")
    return parser.parse_args(argv)


def embed(client: GenerativeAiInferenceClient, args, texts: list[str], input_type: str) -> list[list[float]]:
    vectors: list[list[float]] = []
    for start in range(0, len(texts), BATCH):
        details = m.EmbedTextDetails(
            compartment_id=args.compartment,
            serving_mode=m.OnDemandServingMode(model_id=args.embed_model),
            inputs=texts[start : start + BATCH],
            input_type=input_type,
            truncate="END",
        )
        vectors.extend(client.embed_text(details).data.embeddings)
    return vectors


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def retrieve(client, args, question: str, documents: list[str]) -> list[tuple[float, str]]:
    doc_vectors = embed(client, args, documents, "SEARCH_DOCUMENT")
    [query] = embed(client, args, [question], "SEARCH_QUERY")
    scored = sorted(((cosine(query, v), doc) for v, doc in zip(doc_vectors, documents)), reverse=True)
    return scored[: args.top_k]


def answer(client, args, question: str, passages: list[str]) -> tuple[str, list[str]]:
    """The model's answer from ``passages``, and the passages it cites (Cohere models cite theirs)."""
    if args.model.startswith("cohere."):
        request = m.CohereChatRequest(
            message=question,
            documents=[{"id": str(i), "snippet": p} for i, p in enumerate(passages)],
            preamble_override="Answer from the documents only. Say so if they do not contain the answer.",
            max_tokens=300,
        )
    else:
        context = "\n".join(f"- {p}" for p in passages)
        request = m.GenericChatRequest(
            messages=[
                m.SystemMessage(content=[m.TextContent(
                    text="Answer from the context only. Say so if it does not contain the answer."
                )]),
                m.UserMessage(content=[m.TextContent(text=f"Context:\n{context}\n\nQuestion: {question}")]),
            ],
            max_tokens=300,
        )
    response = client.chat(m.ChatDetails(
        compartment_id=args.compartment,
        serving_mode=m.OnDemandServingMode(model_id=args.model),
        chat_request=request,
    )).data.chat_response
    if response.api_format == "COHERE":
        cited = sorted({int(i) for c in response.citations or [] for i in c.document_ids})
        return response.text, [passages[i] for i in cited]
    text = "".join(part.text for part in response.choices[0].message.content or [] if part.type == "TEXT")
    return text, []


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = oci.config.from_file(os.path.expanduser(args.config_file), args.profile)
    client = GenerativeAiInferenceClient(config, service_endpoint=args.endpoint)

    passages = retrieve(client, args, args.question, DOCUMENTS)
    for score, passage in passages:
        print(f"retrieved [{score:.3f}]: {passage}")
    text, cited = answer(client, args, args.question, [p for _, p in passages])
    print(f"answer: {text}")
    for passage in cited:
        print(f"cited: {passage}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
