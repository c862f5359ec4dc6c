"""OCI's OpenAI-compatible API (``/openai/v1``): Responses, Conversations and Chat Completions.

Requests are answered by the same generators as the native chat API: each handler turns its
request into a neutral ``ChatInput`` (``inference/conversation.py``) and the ``Completion`` back
into OpenAI's objects and events. Every object belongs to the project (``OpenAI-Project``) or,
before projects, the compartment the call names (``scope.py``).
"""
