"""A first walk: link, list tasks, report by text, confirm."""

from __future__ import annotations


async def test_link_and_report(make_bot) -> None:
    bot = make_bot()
    await bot.import_plan()
    async with bot.uow() as uow:
        agencies = [a.name for a in await uow.agencies.list_all()]
    print(agencies)
    focal = await bot.person("Nguyễn Văn An", "Sở Ngoại vụ")
    print(bot.inbox(focal)[-1].text)
    answer = await bot.say("/nhiemvu", as_=focal)
    print(answer[-1].text)
    answer = await bot.say("dang lam 70%", as_=focal)
    print(answer[-1].text, answer[-1].labels)
