// The web chat page: pick a person (demo), read their history, talk, watch replies arrive live.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const list = $("messages");
  const text = $("text");
  const picker = $("person");
  const state = {
    texts: {},
    demo: false,
    people: [],
    chat: null,
    source: null,
    shown: new Set(), // message ids on screen, so live and history never show one twice
    live: null, // items that arrived while the history was loading
    lastDay: null,
    clockOffset: 0, // the demo clock minus this browser's clock, in milliseconds
    generation: 0, // bumps on every switch of person: late answers for the old one are dropped
  };

  const t = (key, params) => {
    let s = state.texts[key] || key;
    for (const [k, v] of Object.entries(params || {})) s = s.split("{" + k + "}").join(v);
    return s;
  };

  function randomId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function eventId() {
    return randomId().slice(0, 24);
  }

  function safeUrl(url) {
    if (typeof url !== "string") return null;
    if (url.startsWith("/web/files/") || /^https?:\/\//i.test(url)) return url;
    return null;
  }

  function initials(name) {
    const words = (name || "").trim().split(/\s+/).filter(Boolean);
    if (!words.length) return "";
    const last = words[words.length - 1];
    const first = words.length > 1 ? words[words.length - 2] : "";
    return (first.charAt(0) + last.charAt(0)).toUpperCase();
  }

  // --- rendering -------------------------------------------------------------------------

  function dayOf(item) {
    return (item.time || "").slice(0, 10); // "dd/mm/yyyy HH:MM"
  }

  function dayLabel(day) {
    const [d, m, y] = day.split("/").map(Number);
    const weekday = (new Date(y, m - 1, d).getDay() + 6) % 7; // Monday = 0, as in Python
    return t("weekday." + weekday) + ", " + day;
  }

  function clearMessages() {
    list.textContent = "";
    state.shown = new Set();
    state.lastDay = null;
  }

  function showEmpty() {
    if (list.querySelector(".msg")) return;
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = state.demo ? t("empty") : t("empty.live");
    list.appendChild(p);
  }

  function atBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  function render(item, opts) {
    if (!item || state.shown.has(item.id)) return null;
    state.shown.add(item.id);
    const empty = list.querySelector(".empty");
    if (empty) empty.remove();
    const stick = (opts && opts.scroll) || atBottom();
    const day = dayOf(item);
    if (day && day !== state.lastDay) {
      const sep = document.createElement("div");
      sep.className = "day";
      sep.textContent = dayLabel(day);
      list.appendChild(sep);
      state.lastDay = day;
    }
    const row = document.createElement("div");
    row.className = "msg " + (item.from === "me" ? "me" : "bot");
    row.dataset.id = item.id;
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    if (item.attachment) bubble.appendChild(renderAttachment(item.attachment));
    if (item.pressed) {
      const p = document.createElement("div");
      p.className = "text pressed";
      p.textContent = t("pressed", { label: item.pressed });
      bubble.appendChild(p);
    } else if (item.text) {
      const p = document.createElement("div");
      p.className = "text";
      if (item.from === "bot") fillWithCommands(p, item.text);
      else p.textContent = item.text;
      bubble.appendChild(p);
    }
    if (item.buttons && item.buttons.length) bubble.appendChild(renderButtons(item));
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = (item.time || "").slice(11);
    bubble.appendChild(meta);
    row.appendChild(bubble);
    list.appendChild(row);
    if (stick && opts && opts.live && item.from === "bot" && row.offsetHeight > list.clientHeight) {
      // A long answer (a list of overdue tasks) is read from its first line, not its last.
      list.scrollTop = row.offsetTop - 8;
    } else if (stick) {
      list.scrollTop = list.scrollHeight;
    }
    return row;
  }

  function fillWithCommands(el, words) {
    // "/quahan" in a bot message can be tapped to send it, as in Telegram; only a command
    // standing alone (not "15/12" or "và/hoặc").
    const pattern = /(^|[\s(«"])(\/[a-z_]{3,32})(?=$|[\s.,;:!?)»"])/g;
    let at = 0;
    for (const match of words.matchAll(pattern)) {
      const start = match.index + match[1].length;
      el.appendChild(document.createTextNode(words.slice(at, start)));
      const command = match[2];
      const link = document.createElement("a");
      link.href = "#";
      link.className = "cmd";
      link.textContent = command;
      link.addEventListener("click", (e) => {
        e.preventDefault();
        say(command);
      });
      el.appendChild(link);
      at = start + command.length;
    }
    el.appendChild(document.createTextNode(words.slice(at)));
  }

  function renderAttachment(a) {
    const url = safeUrl(a.url);
    if (a.kind === "photo" && url) {
      const link = document.createElement("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      const img = document.createElement("img");
      img.className = "photo";
      img.src = url;
      img.alt = a.name || t("image");
      img.addEventListener("load", () => { list.scrollTop = list.scrollHeight; });
      link.appendChild(img);
      return link;
    }
    const el = document.createElement(url ? "a" : "div");
    el.className = "file";
    if (url) {
      el.href = url;
      el.setAttribute("download", a.name || "");
    }
    el.textContent = "📄 " + (a.name || t("download"));
    if (url) {
      const small = document.createElement("small");
      small.textContent = " · " + t("download");
      el.appendChild(small);
    }
    return el;
  }

  function renderButtons(item) {
    const kb = document.createElement("div");
    kb.className = "kb";
    for (const row of item.buttons) {
      const line = document.createElement("div");
      line.className = "kb-row";
      for (const b of row) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.label;
        button.addEventListener("click", () => press(item, b, button, kb));
        line.appendChild(button);
      }
      kb.appendChild(line);
    }
    return kb;
  }

  // --- talking ---------------------------------------------------------------------------

  async function post(body) {
    const response = await fetch("/web/api/messages", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ chat_id: state.chat }, body)),
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
  }

  const localFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });

  function nowText() {
    // The server's time (the demo's simulated one) as "dd/mm/yyyy HH:MM" in Vietnam.
    const parts = {};
    for (const p of localFormat.formatToParts(new Date(Date.now() + state.clockOffset))) {
      parts[p.type] = p.value;
    }
    return parts.day + "/" + parts.month + "/" + parts.year + " " + parts.hour + ":" + parts.minute;
  }

  async function say(words) {
    const id = eventId();
    // Shown at once; the server's copy (history, other tabs) carries the same id.
    const row = render({ id, from: "me", text: words, time: nowText() }, { scroll: true });
    try {
      await post({ event_id: id, text: words });
    } catch (err) {
      if (row) {
        row.classList.add("failed");
        row.querySelector(".meta").textContent = t("send_failed");
      }
    }
  }

  async function press(item, b, button, kb) {
    for (const other of kb.querySelectorAll("button")) other.disabled = true;
    button.classList.add("chosen");
    const id = eventId();
    render({ id, from: "me", pressed: b.label, text: "", time: nowText() }, { scroll: true });
    try {
      await post({ event_id: id, data: b.data, label: b.label, reply_to: item.id });
    } catch (err) {
      for (const other of kb.querySelectorAll("button")) other.disabled = false;
      button.classList.remove("chosen");
      toast(t("send_failed"));
    }
  }

  function toast(message) {
    const el = document.createElement("div");
    el.className = "toast";
    el.textContent = message;
    document.body.appendChild(el);
    setTimeout(() => el.remove(), 3500);
  }

  // --- live events and history -----------------------------------------------------------

  async function loadHistory(generation) {
    state.live = [];
    const response = await fetch("/web/api/history?chat=" + encodeURIComponent(state.chat));
    if (generation !== state.generation) return;
    const data = response.ok ? await response.json() : { items: [] };
    const pending = state.live;
    state.live = null;
    clearMessages();
    for (const item of data.items) render(item);
    for (const item of pending) render(item);
    showEmpty();
    list.scrollTop = list.scrollHeight;
    document.body.dataset.ready = state.chat; // tests wait for this
  }

  function connect() {
    if (state.source) state.source.close();
    const generation = ++state.generation;
    document.body.dataset.ready = "";
    const source = new EventSource("/web/api/events?chat=" + encodeURIComponent(state.chat));
    state.source = source;
    source.addEventListener("ready", () => {
      $("offline").hidden = true;
      loadHistory(generation).catch(() => {});
    });
    source.addEventListener("message", (e) => {
      if (generation !== state.generation) return;
      const item = JSON.parse(e.data);
      if (state.live) state.live.push(item);
      else render(item, { live: true });
    });
    source.addEventListener("edit", (e) => {
      const data = JSON.parse(e.data);
      const row = list.querySelector('.msg[data-id="' + CSS.escape(data.id) + '"]');
      if (!row) return;
      const p = row.querySelector(".text");
      if (p) p.textContent = data.text;
      const kb = row.querySelector(".kb");
      if (kb) kb.remove();
    });
    source.addEventListener("notice", (e) => toast(JSON.parse(e.data).text));
    source.addEventListener("clock", (e) => showClock(JSON.parse(e.data)));
    source.onerror = () => {
      $("offline").textContent = t("offline");
      $("offline").hidden = false;
    };
  }

  // --- who you are ------------------------------------------------------------------------

  function choose(chatId) {
    state.chat = chatId;
    const person = state.people.find((p) => p.chat_id === chatId);
    if (person) {
      $("avatar").textContent = initials(person.name);
      $("subtitle").textContent = person.role_label + " · " + person.agency;
      localStorage.setItem("nhacviec.demo.person", chatId);
    }
    clearMessages();
    connect();
  }

  function setupPeople() {
    picker.textContent = "";
    const groups = new Map(); // one group per role, in the server's order
    for (const p of state.people) {
      if (!groups.has(p.role)) {
        const group = document.createElement("optgroup");
        group.label = p.role_label.charAt(0).toUpperCase() + p.role_label.slice(1);
        groups.set(p.role, group);
        picker.appendChild(group);
      }
      const option = document.createElement("option");
      option.value = p.chat_id;
      option.textContent = p.name + " — " + p.agency;
      groups.get(p.role).appendChild(option);
    }
    if (!state.people.length) {
      const option = document.createElement("option");
      option.textContent = t("picker.none");
      picker.appendChild(option);
      picker.disabled = true;
      return;
    }
    $("picker-wrap").hidden = false;
    const saved = localStorage.getItem("nhacviec.demo.person");
    const first = state.people.some((p) => p.chat_id === saved) ? saved : state.people[0].chat_id;
    picker.value = first;
    picker.addEventListener("change", () => choose(picker.value));
    choose(first);
  }

  function setupOwnChat() {
    // Not the demo: this browser is one person, known by a random id only it holds.
    let chat = localStorage.getItem("nhacviec.chat");
    if (!/^[0-9a-f]{32}$/.test(chat || "")) {
      chat = randomId();
      localStorage.setItem("nhacviec.chat", chat);
    }
    $("avatar").textContent = "NV";
    $("subtitle").textContent = t("subtitle.live");
    choose(chat);
  }

  // --- the demo clock ---------------------------------------------------------------------

  function showClock(clock) {
    state.clockOffset = Date.parse(clock.now) - Date.now();
    $("clock-label").textContent = clock.label;
    document.body.dataset.today = clock.date;
  }

  function setupClock(clock) {
    $("clock").hidden = false;
    showClock(clock);
    for (const button of document.querySelectorAll(".jump")) {
      button.addEventListener("click", async () => {
        const buttons = document.querySelectorAll(".jump");
        buttons.forEach((b) => { b.disabled = true; });
        $("clock-status").textContent = t("clock.moving");
        try {
          const response = await fetch("/web/api/demo/clock", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ jump: button.dataset.jump }),
          });
          const data = await response.json();
          if (data.clock) showClock(data.clock);
          $("clock-status").textContent = data.message || "";
        } catch (err) {
          $("clock-status").textContent = t("offline");
        } finally {
          buttons.forEach((b) => { b.disabled = false; });
        }
      });
    }
  }

  // --- start ------------------------------------------------------------------------------

  function applyTexts() {
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
    text.placeholder = t("placeholder");
    document.title = t("title");
  }

  function autosize() {
    text.style.height = "auto";
    text.style.height = Math.min(text.scrollHeight, 120) + "px";
  }

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const words = text.value.trim();
    if (!words || !state.chat) return;
    text.value = "";
    autosize();
    say(words);
    text.focus();
  });
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });
  text.addEventListener("input", autosize);

  fetch("/web/api/config")
    .then((r) => r.json())
    .then((config) => {
      state.texts = config.texts;
      state.demo = config.demo;
      state.people = config.people || [];
      applyTexts();
      if (config.demo) {
        $("subtitle").textContent = t("subtitle.demo");
        setupClock(config.clock);
        setupPeople();
      } else {
        setupOwnChat();
      }
    });
})();
