"""Inference helpers of :class:`ocigenai.GenAI`: ``chat``, ``stream`` and ``embed``.

The request format follows the model's vendor: COHERE for Cohere models, GENERIC for every other
vendor (Meta, xAI, OpenAI, Google, imported models). Vendors of OCIDs (models, endpoints) are
looked up once and remembered.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator, Sequence

from oci.generative_ai_inference import models as infer

from .convert import _drop_none, _is_ocid, _ocid_type, region_from_ocid
from .errors import InvalidArgument, StreamIncomplete
from .results import ChatResult, EmbedResult, StreamChunk

EMBED_BATCH = 96
"""The service's limit of inputs per embedText request."""
_COHERE_ROLES = {"user": "USER", "assistant": "CHATBOT", "chatbot": "CHATBOT", "system": "SYSTEM"}
_GENERIC_ROLES = {"user": "USER", "assistant": "ASSISTANT", "chatbot": "ASSISTANT", "system": "SYSTEM"}


class InferenceMixin:
    """Mixed into :class:`ocigenai.GenAI`, which provides the clients, regions and compartments."""

    _vendors: dict[str, str]
    inference_client: Any
    _compartment: Any
    get_endpoint: Any
    get_model: Any

    def _serving(self, model: str) -> tuple[Any, str | None]:
        if not isinstance(model, str) or not model:
            raise InvalidArgument(f"model must be a model name, a model OCID or an endpoint OCID, not {model!r}")
        if _ocid_type(model) == "generativeaiendpoint":
            return infer.DedicatedServingMode(serving_type="DEDICATED", endpoint_id=model), region_from_ocid(model)
        return infer.OnDemandServingMode(serving_type="ON_DEMAND", model_id=model), region_from_ocid(model)

    def vendor_of(self, model: str, *, region: str | None = None) -> str:
        """The vendor behind a model name, model OCID or endpoint OCID (``cohere``, ``meta``, ...;
        ``imported`` for imported models); OCIDs are looked up once and remembered."""
        if not _is_ocid(model):
            return model.split(".", 1)[0].lower() if "." in model else ""
        if model in self._vendors:
            return self._vendors[model]
        kind = _ocid_type(model)
        if kind == "generativeaiendpoint":
            vendor = self.vendor_of(self.get_endpoint(model, region=region).model_id, region=region)
        elif kind == "generativeaimodel":
            found = self.get_model(model, region=region)
            if found.type == "CUSTOM" and found.base_model_id and found.base_model_id != model:
                vendor = self.vendor_of(found.base_model_id, region=region)
            else:
                vendor = (found.vendor or "").lower()
        else:
            vendor = "imported"
        self._vendors[model] = vendor
        return vendor

    def _chat_request(self, model, message, system, history, api_format, params: dict, stream: bool, region):
        fmt = api_format or ("COHERE" if self.vendor_of(model, region=region) == "cohere" else "GENERIC")
        turns = [_turn(t) for t in (history or ())]
        sampling = dict(params)
        stop = sampling.pop("stop", None)
        if fmt == "COHERE":
            roles = {"USER": infer.CohereUserMessage, "CHATBOT": infer.CohereChatBotMessage, "SYSTEM": infer.CohereSystemMessage}
            chat_history = [roles[_COHERE_ROLES[role]](message=text) for role, text in turns]
            request = infer.CohereChatRequest(
                api_format="COHERE",
                message=message,
                chat_history=chat_history or None,
                preamble_override=system,
                is_stream=stream or None,
                stop_sequences=stop,
                **sampling,
            )
        elif fmt == "GENERIC":
            classes = {"USER": infer.UserMessage, "ASSISTANT": infer.AssistantMessage, "SYSTEM": infer.SystemMessage}

            def msg(role: str, text: str):
                return classes[role](content=[infer.TextContent(text=text)])

            messages = ([msg("SYSTEM", system)] if system else []) + [msg(_GENERIC_ROLES[r], t) for r, t in turns]
            messages.append(msg("USER", message))
            request = infer.GenericChatRequest(
                api_format="GENERIC",
                messages=messages,
                is_stream=stream or None,
                stream_options=infer.StreamOptions(is_include_usage=True) if stream else None,
                stop=stop,
                **sampling,
            )
        else:
            raise InvalidArgument(f"api_format must be COHERE or GENERIC, not {fmt!r}")
        return fmt, request

    def _chat_call(self, model, message, system, history, api_format, params, stream, compartment_id, region):
        if not isinstance(message, str):
            raise InvalidArgument(f"message must be a string, not {message!r}")
        serving, hinted = self._serving(model)
        region = region or hinted
        fmt, request = self._chat_request(model, message, system, history, api_format, params, stream, region)
        details = infer.ChatDetails(
            compartment_id=self._compartment(compartment_id), serving_mode=serving, chat_request=request
        )
        return fmt, self.inference_client(region).chat(details)

    def chat(
        self,
        model: str,
        message: str,
        *,
        system: str | None = None,
        history: Iterable[Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        stop: Sequence[str] | None = None,
        seed: int | None = None,
        api_format: str | None = None,
        compartment_id: str | None = None,
        region: str | None = None,
    ) -> ChatResult:
        """Ask ``model`` (a model name or OCID on demand, or an endpoint OCID) one ``message``.

        ``history`` holds earlier turns as ``(role, text)`` pairs or ``{"role", "content"}`` dicts
        (roles ``user``, ``assistant``, ``system``). The request format is COHERE for Cohere models
        and GENERIC for every other vendor, unless ``api_format`` says otherwise.
        """
        params = _sampling(max_tokens, temperature, top_p, top_k, stop, seed)
        fmt, response = self._chat_call(model, message, system, history, api_format, params, False, compartment_id, region)
        data = response.data
        chat = data.chat_response
        if fmt == "COHERE":
            text, finish = chat.text or "", chat.finish_reason
        else:
            choice = chat.choices[0] if chat.choices else None
            text = _content_text(getattr(getattr(choice, "message", None), "content", None))
            finish = getattr(choice, "finish_reason", None)
        usage = getattr(chat, "usage", None)
        return ChatResult(
            text=text,
            finish_reason=finish,
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
            request_id=response.request_id,
            model_id=data.model_id,
            model_version=data.model_version,
            api_format=fmt,
            raw=data,
        )

    def stream(
        self,
        model: str,
        message: str,
        *,
        system: str | None = None,
        history: Iterable[Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        stop: Sequence[str] | None = None,
        seed: int | None = None,
        api_format: str | None = None,
        compartment_id: str | None = None,
        region: str | None = None,
    ) -> Iterator[StreamChunk]:
        """Like :meth:`chat`, streamed: yields a :class:`StreamChunk` per text delta, then one
        with ``finished=True`` carrying the finish reason and token counts. Raises
        :class:`StreamIncomplete` if the stream ends before the model finished."""
        params = _sampling(max_tokens, temperature, top_p, top_k, stop, seed)
        fmt, response = self._chat_call(model, message, system, history, api_format, params, True, compartment_id, region)
        return _chunks(fmt, response)

    def embed(
        self,
        texts: str | Sequence[str],
        *,
        model: str,
        input_type: str | None = None,
        truncate: str | None = None,
        output_dimensions: int | None = None,
        batch_size: int = EMBED_BATCH,
        compartment_id: str | None = None,
        region: str | None = None,
    ) -> EmbedResult:
        """Embed ``texts`` with ``model`` (a name, model OCID or endpoint OCID), in batches of at
        most 96 (the service's limit); vectors come back in input order. ``input_type`` is
        ``SEARCH_DOCUMENT``, ``SEARCH_QUERY``, ``CLASSIFICATION`` or ``CLUSTERING``; ``truncate``
        ``NONE``, ``START`` or ``END``."""
        inputs = [texts] if isinstance(texts, str) else list(texts)
        if not all(isinstance(t, str) for t in inputs):
            raise InvalidArgument("texts must be strings")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= EMBED_BATCH:
            raise InvalidArgument(f"batch_size must be an integer in [1, {EMBED_BATCH}], not {batch_size!r}")
        serving, hinted = self._serving(model)
        client = self.inference_client(region or hinted)
        compartment = self._compartment(compartment_id)
        vectors: list[list[float]] = []
        request_ids: list[str] = []
        tokens: int | None = None
        model_id = model_version = None
        for start in range(0, len(inputs), batch_size):
            details = infer.EmbedTextDetails(
                inputs=inputs[start : start + batch_size],
                serving_mode=serving,
                compartment_id=compartment,
                input_type=input_type,
                truncate=truncate,
                output_dimensions=output_dimensions,
            )
            response = client.embed_text(details)
            data = response.data
            vectors.extend(data.embeddings or [])
            request_ids.append(response.request_id)
            model_id, model_version = data.model_id, data.model_version
            used = getattr(getattr(data, "usage", None), "prompt_tokens", None)
            if used is not None:
                tokens = (tokens or 0) + used
        return EmbedResult(vectors, model_id, model_version, tuple(request_ids), tokens)


def _sampling(max_tokens, temperature, top_p, top_k, stop, seed) -> dict:
    """The sampling parameters that were given, in the SDK's names (``stop`` as a list)."""
    params = _drop_none(max_tokens=max_tokens, temperature=temperature, top_p=top_p, top_k=top_k, seed=seed)
    if stop is not None:
        params["stop"] = [stop] if isinstance(stop, str) else list(stop)
    return params


def _turn(turn: Any) -> tuple[str, str]:
    if isinstance(turn, dict):
        role, text = turn.get("role"), turn.get("content", turn.get("text", turn.get("message")))
    elif isinstance(turn, (tuple, list)) and len(turn) == 2:
        role, text = turn
    else:
        raise InvalidArgument(f"a history turn is (role, text) or {{'role', 'content'}}, not {turn!r}")
    role = str(role).lower()
    if role not in _GENERIC_ROLES or not isinstance(text, str):
        raise InvalidArgument(f"a history turn needs a role among user/assistant/system and a text, not {turn!r}")
    return role, text


def _content_text(content) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(getattr(part, "text", None) or "" for part in content)


def _event_text(event: dict) -> str:
    message = event.get("message")
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(part.get("text") or "" for part in content or () if isinstance(part, dict))


def _chunks(fmt: str, response) -> Iterator[StreamChunk]:
    request_id = response.request_id
    source = response.data
    finish: str | None = None
    final_text = ""
    usage: dict = {}
    try:
        for event in source.events():
            raw = (event.data or "").strip()
            if not raw or raw == "[DONE]":
                continue
            data = json.loads(raw)
            if fmt == "COHERE":
                if data.get("finishReason"):  # the final event repeats the whole text: not a delta
                    finish = data["finishReason"]
                    usage = data.get("usage") or usage
                elif data.get("text"):
                    yield StreamChunk(data["text"], False, request_id=request_id)
                continue
            if data.get("usage") and "message" not in data and "finishReason" not in data:
                usage = data["usage"]
                continue
            text = _event_text(data)
            if data.get("finishReason"):
                finish = data["finishReason"]
                final_text += text
                usage = data.get("usage") or usage
            elif text:
                yield StreamChunk(text, False, request_id=request_id, index=data.get("index") or 0)
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    if finish is None:
        raise StreamIncomplete(f"the chat stream (request {request_id}) ended before the model finished")
    yield StreamChunk(
        final_text,
        True,
        finish_reason=finish,
        prompt_tokens=usage.get("promptTokens"),
        completion_tokens=usage.get("completionTokens"),
        request_id=request_id,
    )
