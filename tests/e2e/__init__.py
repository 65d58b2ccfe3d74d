"""End-to-end: the real python-telegram-bot talking HTTP to the fake Bot API."""
