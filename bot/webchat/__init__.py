"""The local web chat: the page, its history and files, and the demo's controls."""
