"""``record`` and ``replay``: real OCI answers, captured once and served offline.

``{"type": "record", "upstream": "https://inference.generativeai.us-chicago-1.oci.oraclecloud.com",
"fixtures": "DIR", "profile": "DEFAULT", "configFile": "~/.oci/config"}`` forwards the chat request
as sent (optionally with ``"compartmentId"`` replaced by one of the real tenancy) to the upstream,
signed with the OCI config's API key (or its session token), saves the answer as
``DIR/<key>.json`` and returns it. Only this mode imports ``oci``.

``{"type": "replay", "fixtures": "DIR", "onMissing": "error" | "deterministic"}`` answers from the
fixtures, without a network. A request with no fixture is a 400 naming the key and the folder, or
gets a deterministic answer.

The key is a hash of the model's name and the ``chatRequest`` normalized: nulls and
``"isStream": false`` dropped, tool-call ids renumbered in order of appearance; the compartment, the
serving mode's OCIDs and the headers are left out. Fixtures hold OCI wire format (a response body,
or a stream's event payloads), so they are returned exactly as recorded: ``Completion.extra["recorded"]``
and ``Delta.recorded`` tell chat.py to send them as they are.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

from ...call import Call
from ...protocol.errors import ServiceError
from .. import errors, tokens
from ..conversation import ChatInput, Completion, Generation
from .base import ConfigError, Delta, Generator, register
from .factory import build
from .proxy import _error_detail, _reason, bad_gateway, gateway_timeout, sse_payloads

LOG = logging.getLogger(__name__)
CHAT_PATH = "/20231130/actions/chat"
DEFAULT_TIMEOUT = 120.0
ON_MISSING = ("error", "deterministic")


# -- the key -----------------------------------------------------------------------------------------


def normalize(chat_request: dict) -> dict:
    """The request without what changes from run to run and does not change the answer."""
    ids: dict[str, str] = {}

    def renumber(call_id: Any) -> Any:
        if not isinstance(call_id, str):
            return call_id
        return ids.setdefault(call_id, f"call_{len(ids)}")

    def walk(value: Any, parent: str | None = None) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if v is None:
                    continue
                if k == "toolCallId" or (k == "id" and parent == "toolCalls"):
                    out[k] = renumber(v)
                else:
                    out[k] = walk(v, k)
            return out
        if isinstance(value, list):
            return [walk(v, parent) for v in value]
        return value

    normalized = walk(chat_request)
    if normalized.get("isStream") is False:
        del normalized["isStream"]
    return normalized


def fixture_key(model: str, chat_request: dict) -> str:
    canonical = json.dumps({"model": model, "chatRequest": normalize(chat_request)}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def fixture_path(options: dict, key: str) -> Path:
    return Path(os.path.expanduser(options["fixtures"])) / f"{key}.json"


def _request_of(chat: ChatInput, call: Call) -> dict:
    return call.body["chatRequest"] if isinstance(call.body, dict) and "chatRequest" in call.body else chat.raw


def _check_fixtures(options: dict, where: str) -> None:
    if not isinstance(options.get("fixtures"), str) or not options["fixtures"]:
        raise ConfigError(f"{where}.fixtures: the folder that holds the recorded answers.")


NATIVE_FORMATS = ("COHERE", "COHEREV2", "GENERIC")


def _native_only(chat: ChatInput) -> None:
    """Recordings are native chat answers: the OpenAI-compatible API is served by the other generators."""
    if chat.api_format not in NATIVE_FORMATS:
        raise errors.bad_request(
            "The record and replay generators serve the native chat API only; configure deterministic, rules or "
            "proxy (with latency if wanted) for this model on the OpenAI-compatible API."
        )


# -- replay ------------------------------------------------------------------------------------------


@register("replay")
class Replay(Generator):
    FIELDS = frozenset({"fixtures", "onMissing"})

    @classmethod
    def check(cls, options: dict, where: str) -> None:
        super().check(options, where)
        _check_fixtures(options, where)
        if options.get("onMissing", "error") not in ON_MISSING:
            raise ConfigError(f"{where}.onMissing: one of {', '.join(ON_MISSING)}.")

    def complete(self, chat: ChatInput, call: Call) -> Completion:
        _native_only(chat)
        fixture = self._load(chat, call)
        if fixture is None:
            return build({"type": "deterministic"}).complete(chat, call)
        if "response" not in fixture:
            raise errors.bad_request(
                f"The fixture {fixture['_path']} holds a streamed answer; this request is not streamed."
            )
        return recorded_completion(fixture["response"])

    def stream(self, chat: ChatInput, call: Call) -> Iterator[Delta]:
        _native_only(chat)
        fixture = self._load(chat, call)
        if fixture is None:
            return build({"type": "deterministic"}).stream(chat, call)
        if "events" not in fixture:
            raise errors.bad_request(
                f"The fixture {fixture['_path']} holds a complete answer; this request is streamed."
            )
        return iter([Delta(text=text_of(event), recorded=event) for event in fixture["events"]])

    def _load(self, chat: ChatInput, call: Call) -> dict | None:
        key = fixture_key(chat.served.profile.name, _request_of(chat, call))
        path = fixture_path(self.options, key)
        try:
            fixture = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if self.options.get("onMissing", "error") == "deterministic":
                return None
            raise errors.bad_request(
                f"No recorded answer for this request (key {key}, model {chat.served.profile.name}) in the fixtures "
                f"folder {path.parent}; record it with a \"record\" generator, or set \"onMissing\": \"deterministic\"."
            ) from None
        except (OSError, ValueError) as exc:
            raise errors.bad_request(f"The fixture {path} cannot be read: {exc}.") from None
        fixture["_path"] = str(path)
        return fixture


def recorded_completion(response: dict) -> Completion:
    """A recorded response body as a Completion that chat.py returns as is (``extra["recorded"]``)."""
    chat_response = response.get("chatResponse") or {}
    usage = chat_response.get("usage") or {}
    text = text_of(chat_response)
    return Completion(
        generations=[Generation(text=text)],
        prompt_tokens=usage.get("promptTokens") or 0,
        completion_tokens=usage.get("completionTokens") or tokens.count(text),
        extra={"recorded": response},
    )


def text_of(payload: Any) -> str:
    """The answer's text in a chat response or stream event of any format (for pacing and logs)."""
    if not isinstance(payload, dict):
        return ""
    if isinstance(payload.get("text"), str):  # COHERE
        return payload["text"]
    choices = [c for c in payload.get("choices") or [] if isinstance(c, dict)]
    messages = [payload.get("message")] + [c.get("message") for c in choices]
    out = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            out += [c.get("text") or "" for c in content if isinstance(c, dict)]
        elif isinstance(content, str):
            out.append(content)
    return "".join(out)


# -- record ------------------------------------------------------------------------------------------

_signers: dict[tuple, Any] = {}
_signers_lock = threading.Lock()


@register("record")
class Record(Generator):
    FIELDS = frozenset({"upstream", "fixtures", "profile", "configFile", "compartmentId", "timeoutSeconds"})

    @classmethod
    def check(cls, options: dict, where: str) -> None:
        super().check(options, where)
        upstream = options.get("upstream")
        if not isinstance(upstream, str) or not upstream.startswith(("http://", "https://")):
            raise ConfigError(f"{where}.upstream: the inference endpoint, like "
                              "https://inference.generativeai.us-chicago-1.oci.oraclecloud.com.")
        _check_fixtures(options, where)
        for field in ("profile", "configFile", "compartmentId"):
            if field in options and not isinstance(options[field], str):
                raise ConfigError(f"{where}.{field}: a string.")
        timeout = options.get("timeoutSeconds", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ConfigError(f"{where}.timeoutSeconds: a number of seconds > 0.")

    @property
    def url(self) -> str:
        return self.options["upstream"].rstrip("/") + CHAT_PATH

    def complete(self, chat: ChatInput, call: Call) -> Completion:
        _native_only(chat)
        with call.waiting():
            response = self._forward(chat, call, stream=False)
        try:
            body = response.json()
            if not isinstance(body, dict) or "chatResponse" not in body:
                raise ValueError("no chatResponse")
        except ValueError as exc:
            raise bad_gateway(
                f"The upstream {self.url} answered something that is not a chat response ({exc})."
            ) from None
        finally:
            response.close()
        self._save(chat, call, {"response": body})
        return recorded_completion(body)

    def stream(self, chat: ChatInput, call: Call) -> Iterator[Delta]:
        _native_only(chat)
        with call.waiting():
            response = self._forward(chat, call, stream=True)
        return self._relay(chat, call, response)

    def _relay(self, chat: ChatInput, call: Call, response) -> Iterator[Delta]:
        events = []
        try:
            for payload in call.waiting_for(sse_payloads(response)):
                try:
                    event = json.loads(payload)
                except ValueError:
                    event = payload  # a literal like [DONE], kept as sent
                events.append(event)
                yield Delta(text=text_of(event), recorded=event)
        except Exception as exc:  # the stream already started: it can only end early; nothing is saved
            LOG.warning("the stream from %s broke off, not recorded: %s", self.url, _reason(exc))
            return
        finally:
            response.close()
        self._save(chat, call, {"events": events})

    def _forward(self, chat: ChatInput, call: Call, stream: bool):
        import requests

        body = dict(call.body)
        if self.options.get("compartmentId"):
            body["compartmentId"] = self.options["compartmentId"]
        timeout = self.options.get("timeoutSeconds", DEFAULT_TIMEOUT)
        headers = {"content-type": "application/json", "accept": "text/event-stream" if stream else "application/json"}
        try:
            response = requests.post(self.url, data=json.dumps(body).encode(), headers=headers, auth=self._signer(),
                                     stream=stream, timeout=(min(10.0, timeout), timeout))
        except requests.Timeout:
            raise gateway_timeout(f"The upstream {self.url} did not answer within {timeout} s.") from None
        except requests.RequestException as exc:
            raise bad_gateway(
                f"The record generator could not reach the upstream {self.url}: {_reason(exc)}."
            ) from None
        if response.status_code >= 400:
            status, detail = response.status_code, _error_detail(response)
            response.close()
            if status in (401, 403):
                raise bad_gateway(
                    f"The upstream {self.url} refused the recording request ({status}: {detail}); check profile "
                    f"{self.options.get('profile', 'DEFAULT')} of {self.options.get('configFile', '~/.oci/config')}."
                )
            if 400 <= status < 500:  # the real service's verdict on this request: pass it on
                raise ServiceError(status, str(status), f"{detail} (answered by the upstream {self.url})")
            raise bad_gateway(f"The upstream {self.url} answered {status}: {detail}")
        return response

    def _signer(self):
        config_file = os.path.expanduser(self.options.get("configFile", "~/.oci/config"))
        profile = self.options.get("profile", "DEFAULT")
        with _signers_lock:
            signer = _signers.get((config_file, profile))
            if signer is None:
                signer = _signers[(config_file, profile)] = _load_signer(config_file, profile)
        return signer

    def _save(self, chat: ChatInput, call: Call, answer: dict) -> None:
        request = _request_of(chat, call)
        key = fixture_key(chat.served.profile.name, request)
        path = fixture_path(self.options, key)
        fixture = {"key": key, "model": chat.served.profile.name, "chatRequest": normalize(request), **answer}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(fixture, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)


def _load_signer(config_file: str, profile: str):
    """A request signer from an OCI config profile: its API key, or its session token (``oci session authenticate``)."""
    import oci  # heavy: only the record mode needs it

    try:
        cfg = oci.config.from_file(config_file, profile)
        if cfg.get("security_token_file"):
            with open(os.path.expanduser(cfg["security_token_file"]), encoding="utf-8") as f:
                token = f.read().strip()
            key = oci.signer.load_private_key_from_file(cfg["key_file"], cfg.get("pass_phrase"))
            return oci.auth.signers.SecurityTokenSigner(token, key)
        return oci.signer.Signer(
            cfg["tenancy"], cfg["user"], cfg["fingerprint"], cfg["key_file"], cfg.get("pass_phrase")
        )
    except Exception as exc:  # oci's ConfigFileNotFound, InvalidConfig, missing key files...
        raise errors.bad_request(
            f"The record generator cannot sign requests with profile {profile} of {config_file}: "
            f"{type(exc).__name__}: {exc}"
        ) from None
