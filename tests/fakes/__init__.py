"""Test doubles: fake platform servers and recording channels."""
