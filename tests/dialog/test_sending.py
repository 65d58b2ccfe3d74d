"""Replies leave the message path a bounded number at a time, and every one of them leaves."""

from __future__ import annotations

import asyncio

import pytest

from bot.channels.base import OutgoingMessage, Receipt
from bot.dispatcher import MAX_SENDING
from tests.fakes.harness import BotHarness


async def test_at_most_max_sending_replies_are_in_flight_at_once(
    make_bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot: BotHarness = make_bot()
    record = bot.channel.send
    release = asyncio.Event()
    in_flight = peak = 0
    all_waiting = asyncio.Event()

    async def slow_send(message: OutgoingMessage) -> Receipt:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight == MAX_SENDING:
            all_waiting.set()
        await release.wait()  # the platform is slow to answer
        in_flight -= 1
        return await record(message)

    monkeypatch.setattr(bot.channel, "send", slow_send)
    chats = [str(9000 + i) for i in range(MAX_SENDING + 5)]
    talks = [asyncio.create_task(bot.say("xin chào", as_=chat)) for chat in chats]
    await all_waiting.wait()
    for _ in range(10):  # let the others reach the gate
        await asyncio.sleep(0)  # a yield, not a wait
    assert peak == MAX_SENDING
    release.set()
    answers = await asyncio.gather(*talks)
    assert all(len(a) == 1 for a in answers)
    assert peak == MAX_SENDING
