"""Chat channels: each turns platform payloads into messages and messages into platform calls."""
