"""Test constants for Zalo: tokens shaped like real ones, so redaction sees the real format."""

from __future__ import annotations

# {bot_id}:{secret}, as Bot Manager hands them out.
ZALO_TOKEN = "3120001234567890:ZbT-secretPart_for-tests-ABCDEFabcdef0123456789"
ZALO_TOKEN_2 = "3120009876543210:ZbT-secondBot_secret-XYZxyz9876543210"
ZALO_WEBHOOK_SECRET = "zalo-Webhook_Secret-0123"
