"""Registering contacts: agency lookup, validation, one-time link codes and contact file import."""

from __future__ import annotations

import csv
import difflib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from handlers.link import CODE_ALPHABET
from plans.agencies import agency_key
from plans.text import key as text_key
from plans.text import nfc, squash
from storage.channels import ZaloBotLoad
from storage.models import LINK_CODE_LENGTH, Agency, ChannelIdentity, Contact, LinkCode
from storage.uow import UnitOfWork
from texts import t

DEFAULT_TTL = timedelta(days=7)
# Zalo's free plan: a bot serves at most this many people (PLATFORMS.md §1.6).
ZALO_USERS_PER_BOT = 50
CHANNEL_CHOICES = ("telegram", "zalo", "auto")
_CODE_ATTEMPTS = 20

# How people write a role, on the tone-free lower-case form.
_ROLE_WORDS = {
    "focal": "focal",
    "dau moi": "focal",
    "can bo dau moi": "focal",
    "coordinator": "coordinator",
    "dieu phoi": "coordinator",
    "can bo dieu phoi": "coordinator",
    "leader": "leader",
    "lanh dao": "leader",
}

_PHONE_JUNK = re.compile(r"[\s.\-()]+")
# Mobile numbers have 10 digits with the leading 0, landlines 11 (0 + area code + 8 digits).
_PHONE_SHAPE = re.compile(r"0\d{9,10}")
_ZERO_DROPPED = re.compile(r"[35789]\d{8}|2\d{9}")

# One slip in a word ("chanh"/"chinh", "ngaoi"/"ngoai"), but not another word: "noi"/"ngoai"
# (0.75) is Sở Nội vụ against Sở Ngoại vụ.
_WORD_TYPO = 0.8
_CLOSE_CUTOFF = 0.5  # what is still worth suggesting
# "tỉnh" may be left out ("Đài Phát thanh Truyền hình Hà Tĩnh"), unless the typed name is of a
# lower level: "Công an huyện Lộc Hà" is not "Công an tỉnh".
_OPTIONAL_WORDS = {"tinh"}
_LOWER_LEVEL_WORDS = {"huyen", "xa", "phuong", "pho"}
_MAX_SUGGESTIONS = 5
_MAX_CANDIDATES = 10


class ContactError(ValueError):
    """A problem with what the admin typed or uploaded; str() is the Vietnamese message."""


class AgencyNotFound(ContactError):
    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        if self.suggestions:
            message = t("contact.agency_not_found", name=name, names=_listing(self.suggestions))
        else:
            message = t("contact.agency_not_found_none", name=name)
        super().__init__(message)


class AgencyAmbiguous(ContactError):
    def __init__(self, name: str, candidates: Sequence[str]) -> None:
        self.name = name
        self.candidates = list(candidates)
        shown = self.candidates[:_MAX_CANDIDATES]
        names = _listing(shown) + ("; …" if len(self.candidates) > len(shown) else "")
        super().__init__(t("contact.agency_ambiguous", name=name, names=names))


def _listing(names: Iterable[str]) -> str:
    return "; ".join(f"«{n}»" for n in names)


# ------------------------------------------------------------------ codes


def new_link_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))


def telegram_link(bot_username: str | None, code: str) -> str | None:
    """The deep link that opens the bot and sends `/start CODE` in one tap."""
    username = (bot_username or "").strip().lstrip("@")
    return f"https://t.me/{username}?start={code}" if username else None


def zalo_bot_ids(tokens: Iterable[str]) -> list[str]:
    """The bot ids of the configured tokens ({bot_id}:{secret}), each once, in order."""
    return list(dict.fromkeys(tok.partition(":")[0] for tok in tokens if tok and ":" in tok))


async def zalo_bots(uow: UnitOfWork, tokens: Iterable[str]) -> list[ZaloBotLoad]:
    """The configured Zalo bots with how many people each has linked (no commit).

    A bot never met before gets its channel name now, the name the service will use too."""
    bot_ids = zalo_bot_ids(tokens)
    if not bot_ids:
        return []
    await uow.zalo_bots.register(bot_ids)
    return await uow.zalo_bots.load(bot_ids)


def least_loaded(
    bots: Sequence[ZaloBotLoad], handed_out: dict[str, int] | None = None
) -> ZaloBotLoad | None:
    """The bot a new person should open: the fewest linked (plus `handed_out`, instructions
    already given in this run), the first configured on a tie. A person links through
    whichever bot they write to; this only spreads them."""
    if not bots:
        return None
    extra = handed_out or {}
    return min(bots, key=lambda b: b.linked + extra.get(b.bot_id, 0))


async def set_channel(uow: UnitOfWork, contact_id: int, channel: str) -> tuple[Contact, list[str]]:
    """Where messages to the person go: "telegram", "zalo" or "auto" (the channel they last
    wrote from); the contact and the channels it can be reached on now. No commit."""
    choice = (channel or "").strip().lower()
    if choice not in CHANNEL_CHOICES:
        raise ContactError(t("contact.bad_channel", channel=channel))
    contact = await uow.contacts.get(contact_id)
    if contact is None:
        raise ContactError(t("contact.not_found", id=contact_id))
    await uow.contacts.set_preferred_channel(contact.id, None if choice == "auto" else choice)
    linked = await uow.session.scalars(
        select(ChannelIdentity.channel).where(
            ChannelIdentity.contact_id == contact.id, ChannelIdentity.reachable.is_(True)
        )
    )
    return contact, list(linked)


# ------------------------------------------------------------------ agencies


def _agency_keys(name: str) -> list[str]:
    """Keys to try for a typed name; "Sở Ngoại vụ tỉnh Hà Tĩnh" also as "Sở Ngoại vụ"."""
    k = agency_key(name)
    keys = [k]
    # The stored keys were made with the plan's province dropped, which the admin may type.
    m = re.search(r"\s+tinh\s+[a-z ]+$", k)
    if m:
        keys += [k[: m.start()], k[: m.start()] + " tinh"]
    return keys


def _spellings(agency: Agency) -> list[str]:
    return [agency.key, *(a.key for a in agency.aliases)]


async def resolve_agency(uow: UnitOfWork, name: str) -> Agency:
    """The one stored agency `name` means; AgencyNotFound or AgencyAmbiguous otherwise."""
    name = squash(nfc(name))
    if not name:
        raise ContactError(t("contact.agency_empty"))
    agencies = await uow.agencies.list_all()
    for agency in agencies:
        if agency.name == name or any(a.alias == name for a in agency.aliases):
            return agency

    keys = _agency_keys(name)
    by_key = [a for a in agencies if any(k in _spellings(a) for k in keys)]
    if len(by_key) == 1:
        return by_key[0]
    if by_key:
        raise AgencyAmbiguous(name, [a.name for a in by_key])

    # A person belongs to a concrete agency, never to "Các sở, ban, ngành": groups only match
    # when named exactly (above).
    concrete = [a for a in agencies if a.kind != "group"]
    typed = keys[0]
    # Every word typed appears in the name: "Sở Ngoại" → Sở Ngoại vụ, "UBND huyện" → each district.
    words = set(typed.split())
    partial = [a for a in concrete if any(words <= set(s.split()) for s in _spellings(a))]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AgencyAmbiguous(name, [a.name for a in partial])

    # Typos and extra words ("Sở Tài chánh", "Sở Ngoại vụ Hà Tĩnh"): every word of the agency's
    # name must be in what was typed, give or take one slip. Whole-string similarity alone
    # would take "UBND huyện Kỳ Anh" for "UBND huyện Lộc Hà", the shared words outweighing
    # the ones that tell districts apart.
    covered = [(n, a) for a in concrete if (n := _covered_words(words, a))]
    if covered:
        covered.sort(key=lambda pair: (-pair[0], pair[1].name))
        # The most specific name wins: "Sở Văn hóa, Thể thao và Du lịch" over "Sở Văn hóa".
        best = [a for n, a in covered if n == covered[0][0]]
        if len(best) == 1:
            return best[0]
        raise AgencyAmbiguous(name, [a.name for a in best])

    scored = sorted(
        ((_similarity(typed, a), a) for a in concrete), key=lambda pair: (-pair[0], pair[1].name)
    )
    close = [a.name for score, a in scored if score >= _CLOSE_CUTOFF][:_MAX_SUGGESTIONS]
    raise AgencyNotFound(name, close)


def _covered_words(typed: set[str], agency: Agency) -> int:
    """How many words the best-covered spelling of the agency has (0: none is covered)."""
    optional = set() if typed & _LOWER_LEVEL_WORDS else _OPTIONAL_WORDS
    best = 0
    for spelling in _spellings(agency):
        needed = [w for w in spelling.split() if w not in optional]
        if needed and all(_word_in(w, typed) for w in needed):
            best = max(best, len(needed))
    return best


def _word_in(word: str, typed: set[str]) -> bool:
    if word in typed:
        return True
    # Short words ("vu", "ha", "noi") differ by one letter from other real words.
    return len(word) >= 4 and any(
        difflib.SequenceMatcher(None, word, w).ratio() >= _WORD_TYPO for w in typed
    )


def _similarity(typed: str, agency: Agency) -> float:
    return max(difflib.SequenceMatcher(None, typed, s).ratio() for s in _spellings(agency))


# ------------------------------------------------------------------ validation


def normalize_role(text: str) -> str:
    role = _ROLE_WORDS.get(text_key(text).replace("_", " "))
    if role is None:
        raise ContactError(t("contact.bad_role", role=text))
    return role


def normalize_phone(text: str | None) -> str | None:
    """The number as dialled in Vietnam (0912345678); None when not given."""
    if text is None or not text.strip():
        return None
    raw = text.strip()
    digits = _PHONE_JUNK.sub("", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif _ZERO_DROPPED.fullmatch(digits):
        # A spreadsheet number cell (or its CSV) drops the leading zero: 912345678.
        digits = "0" + digits
    if not _PHONE_SHAPE.fullmatch(digits):
        raise ContactError(t("contact.bad_phone", phone=raw))
    return digits


def _same_name(a: str, b: str) -> bool:
    # Tone marks kept: "Lê Văn Hà" and "Lê Văn Hạ" are two people.
    return squash(nfc(a)).casefold() == squash(nfc(b)).casefold()


# ------------------------------------------------------------------ registering


@dataclass(frozen=True)
class Registered:
    """A contact with a fresh link code, as the admin hands it to the person."""

    contact_id: int
    name: str
    agency: str
    role: str
    code: str
    expires_at: datetime
    phone: str | None = None
    existing: bool = False  # the person was registered before and got a new code


async def register_contact(
    uow: UnitOfWork,
    *,
    name: str,
    agency_name: str,
    role: str,
    phone: str | None,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    deputy: bool = False,
) -> Registered:
    """Create the contact (or find the same person) and give them a new code; no commit."""
    # Everything is checked before the first write, so a bad row of an import leaves the
    # session clean for the next one.
    name = squash(nfc(name or ""))
    if not name:
        raise ContactError(t("contact.name_empty"))
    role_code = normalize_role(role or "")
    phone_number = normalize_phone(phone)
    agency = await resolve_agency(uow, agency_name or "")

    existing = next(
        (
            c
            for c in await uow.contacts.list_for_agency(agency.id, active_only=False)
            if c.role == role_code and _same_name(c.name, name)
        ),
        None,
    )
    if existing is None:
        contact = await uow.contacts.add(name, agency.id, role_code, phone_number)
    else:
        contact = existing
        contact.active = True
        if phone_number:
            contact.phone = phone_number
    if deputy:
        contact.is_deputy = True  # a focal point's stand-in (reminders only while others are away)
    code = await _issue_code(uow, contact.id, now, ttl)
    return Registered(
        contact_id=contact.id,
        name=contact.name,
        agency=agency.name,
        role=role_code,
        code=code.code,
        expires_at=code.expires_at,
        phone=contact.phone,
        existing=existing is not None,
    )


async def reissue_code(
    uow: UnitOfWork, contact_id: int, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> Registered:
    """A new code for a registered contact (the first one expired or was lost); no commit."""
    contact = await uow.contacts.get(contact_id)
    if contact is None:
        raise ContactError(t("contact.not_found", id=contact_id))
    code = await _issue_code(uow, contact.id, now, ttl)
    return Registered(
        contact_id=contact.id,
        name=contact.name,
        agency=contact.agency.name,
        role=contact.role,
        code=code.code,
        expires_at=code.expires_at,
        phone=contact.phone,
        existing=True,
    )


async def _issue_code(uow: UnitOfWork, contact_id: int, now: datetime, ttl: timedelta) -> LinkCode:
    # One live code per contact: a code handed out earlier and never used stops working, so a
    # sheet of old codes lying around cannot link a stranger.
    await uow.session.execute(
        update(LinkCode)
        .where(
            LinkCode.contact_id == contact_id,
            LinkCode.used_at.is_(None),
            LinkCode.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    for _ in range(_CODE_ATTEMPTS):
        # 32^8 codes make a collision rare; looking first keeps the transaction usable.
        code = new_link_code()
        if await uow.link_codes.get(code) is None:
            return await uow.link_codes.add(contact_id, code, now, now + ttl)
    raise RuntimeError("no free link code after several attempts")


# ------------------------------------------------------------------ listing


@dataclass(frozen=True)
class ContactSummary:
    contact_id: int
    name: str
    agency: str
    role: str
    phone: str | None
    channels: list[str]
    code_state: str  # "none", "unused", "expired", "used"
    code_expires_at: datetime | None
    preferred_channel: str | None = None  # None: the channel they last wrote from


async def list_contacts(uow: UnitOfWork, now: datetime) -> list[ContactSummary]:
    """Every contact with the channels it is linked on and the state of its latest code."""
    contacts = await uow.contacts.list_all()
    latest: dict[int, LinkCode] = {}
    if contacts:
        rows = await uow.session.scalars(
            select(LinkCode)
            .where(LinkCode.contact_id.in_([c.id for c in contacts]))
            .order_by(LinkCode.created_at, LinkCode.id)
        )
        for row in rows:
            latest[row.contact_id] = row  # ordered oldest first: the last one wins
    return [_summary(c, latest.get(c.id), now) for c in contacts]


def _summary(contact: Contact, code: LinkCode | None, now: datetime) -> ContactSummary:
    if code is None:
        state = "none"
    elif code.used_at is not None:
        state = "used"
    elif code.expires_at <= now:
        state = "expired"
    else:
        state = "unused"
    return ContactSummary(
        contact_id=contact.id,
        name=contact.name,
        agency=contact.agency.name,
        role=contact.role,
        phone=contact.phone,
        channels=sorted({i.channel for i in contact.identities}),
        code_state=state,
        code_expires_at=code.expires_at if code else None,
        preferred_channel=contact.preferred_channel,
    )


# ------------------------------------------------------------------ contact files

_HEADERS = {
    "name": ("ho ten", "ho va ten", "ten", "ho ten can bo", "ho va ten can bo"),
    "agency": ("co quan", "don vi", "co quan don vi", "ten co quan", "ten don vi"),
    "role": ("vai tro",),
    "phone": ("dien thoai", "so dien thoai", "sdt", "so dt", "dt"),
}
_REQUIRED = ("name", "agency")
_HEADER_SEARCH_ROWS = 20  # a title and the issuing body may sit above the header
_LABEL_JUNK = re.compile(r"[^a-z0-9 ]+")


@dataclass(frozen=True)
class ContactRow:
    """One person from a contact file, as written; `row` is the file's own row number."""

    row: int
    name: str
    agency: str
    role: str
    phone: str | None


@dataclass(frozen=True)
class RowError:
    row: int
    error: str


@dataclass
class ImportResult:
    created: list[tuple[int, Registered]] = field(default_factory=list)  # (row, registered)
    errors: list[RowError] = field(default_factory=list)


def _label(value: str) -> str:
    return squash(_LABEL_JUNK.sub(" ", text_key(value)))


def _columns(cells: Sequence[str]) -> dict[str, int]:
    labels = [_label(c) for c in cells]
    found: dict[str, int] = {}
    for field_name, names in _HEADERS.items():
        for i, label in enumerate(labels):
            if label in names and field_name not in found:
                found[field_name] = i
    return found


def read_contact_rows(path: str | Path) -> list[ContactRow]:
    """The people in a .xlsx (first sheet) or .csv file; ContactError when it cannot be read."""
    p = Path(path)
    if not p.is_file():
        raise ContactError(t("doc.not_found", path=str(path)))
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = _xlsx_rows(p)
    elif suffix == ".csv":
        table = _csv_rows(p)
    else:
        raise ContactError(t("contact.file_unsupported", name=p.name))
    return _rows_from(p.name, table)


def _rows_from(name: str, table: list[tuple[int, list[str]]]) -> list[ContactRow]:
    header_at = None
    columns: dict[str, int] = {}
    for index, (_, cells) in enumerate(table[:_HEADER_SEARCH_ROWS]):
        columns = _columns(cells)
        if all(c in columns for c in _REQUIRED):
            header_at = index
            break
    if header_at is None:
        first = next((cells for _, cells in table if any(cells)), [])
        seen = ", ".join(f"«{c}»" for c in first if c) or t("view.none")
        raise ContactError(t("contact.file_columns", name=name, found=seen))

    def cell(cells: list[str], field_name: str) -> str:
        i = columns.get(field_name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    rows = []
    for number, cells in table[header_at + 1 :]:
        row = ContactRow(
            row=number,
            name=cell(cells, "name"),
            agency=cell(cells, "agency"),
            role=cell(cells, "role"),
            phone=cell(cells, "phone") or None,
        )
        # A row with only its STT filled in is as empty as a blank one.
        if row.name or row.agency or row.role or row.phone:
            rows.append(row)
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise ContactError(t("doc.damaged", name=path.name, kind="Excel (.xlsx)")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [_xlsx_cell(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squash(nfc(str(value)))


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Excel writes a BOM, other tools do not
    except UnicodeDecodeError as exc:
        raise ContactError(t("doc.encoding", name=path.name)) from exc
    lines = text.splitlines()
    # Excel in a Vietnamese locale saves with ";", everything else with ",": take the one
    # whose reading has a recognisable header.
    best: list[tuple[int, list[str]]] = []
    for delimiter in (",", ";"):
        reader = csv.reader(lines, delimiter=delimiter)
        table = [(reader.line_num, [squash(nfc(c)) for c in cells]) for cells in reader]
        if any(
            all(c in _columns(cells) for c in _REQUIRED) for _, cells in table[:_HEADER_SEARCH_ROWS]
        ):
            return table
        best = best or table
    return best


async def import_contacts(
    uow: UnitOfWork,
    rows: Sequence[ContactRow],
    *,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> ImportResult:
    """Register every row that can be; a bad row is reported and the others still go in."""
    result = ImportResult()
    seen: dict[tuple[int, str, str], int] = {}
    for row in rows:
        try:
            # The cheap checks first, so a row with several faults names the simplest one.
            if not row.name:
                raise ContactError(t("contact.name_empty"))
            role = normalize_role(row.role) if row.role else "focal"  # a list of focal points
            normalize_phone(row.phone)
            agency = await resolve_agency(uow, row.agency)
            person = (agency.id, role, squash(nfc(row.name)).casefold())
            if person in seen:
                # A second code would cancel the first one handed out from the same sheet.
                raise ContactError(t("contact.row_duplicate", row=seen[person]))
            registered = await register_contact(
                uow,
                name=row.name,
                agency_name=agency.name,
                role=role,
                phone=row.phone,
                now=now,
                ttl=ttl,
            )
        except ContactError as exc:
            result.errors.append(RowError(row.row, str(exc)))
            continue
        seen[person] = row.row
        result.created.append((row.row, registered))
    return result
