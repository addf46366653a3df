"""Samverkan KB: Örebro kommun's 2022 inventory of collaboration with civil society as a knowledge base."""

__version__ = "0.1.0"
