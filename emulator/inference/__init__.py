"""Inference API behaviour: chat, embeddings, rerank, text generation, summaries, guardrails."""
