"""Fakes that behave: real protocols over real sockets, scripted from the test."""

from .openai_server import FakeOpenAI, Reply, closed_port

__all__ = ["FakeOpenAI", "Reply", "closed_port"]
