"""The catalogue of every text a user reads, in Vietnamese; code refers to them by key."""

from texts.catalogue import t

__all__ = ["t"]
