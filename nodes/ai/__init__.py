"""LLM nodes: chat, extraction, classification and summarization through the model router."""
