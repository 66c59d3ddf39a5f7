// The outreach phone without network (HRM-8, "Works offline"; docs/architecture.md, "Offline on
// the phone"). Loaded on every page by templates/outreach/_offline_base.html:
//
// * On the contact page (form[data-outreach-form]) it installs the service worker (sw.js), sends
//   a contact to the API at once when it can, and otherwise keeps it on the phone, encrypted,
//   until the network returns; it shows how many wait, what the server refused and why, and
//   what it stored but wants checked.
// * On every page it sends what waits (page load, the `online` event, "Send now"), warns before
//   logging out while contacts wait, and after a logout wipes what the outreach pages kept.
//
// What is kept on the phone (IndexedDB "bedring-outreach"): per login, an ECDH P-256 key pair
// made on the phone, its private half wrapped (AES-GCM) with the device key the server hands to
// the worker's verified session (bedring/outreach/offline.py); per contact, the payload sealed to
// the pair's public half (ephemeral ECDH + HKDF-SHA-256 + AES-256-GCM), so recording needs no
// network and no secret, and reading needs the worker's live login. The device key and the
// unwrapped private key live in this page's memory only, for one round of sending.
(() => {
  "use strict";

  const DB_NAME = "bedring-outreach";
  const SYNC_LOCK = "bedring-outreach-sync";
  const EC = { name: "ECDH", namedCurve: "P-256" };
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const HKDF_INFO = enc.encode("bedring outreach offline v1");

  const configElement = document.getElementById("offline-config");
  const cfg = configElement ? configElement.dataset : {};
  const form = document.querySelector("form[data-outreach-form]");
  const statusBox = document.getElementById("offline-status");
  const capable = Boolean(
    window.isSecureContext &&
      window.indexedDB &&
      window.crypto &&
      window.crypto.subtle &&
      typeof window.crypto.randomUUID === "function"
  );

  class LoginNeeded extends Error {}
  class NotReady extends Error {}

  // --- IndexedDB ---------------------------------------------------------------------------

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("keys", { keyPath: "kid" });
        db.createObjectStore("contacts", { keyPath: "offline_id" });
        db.createObjectStore("notices", { keyPath: "offline_id" });
      };
      request.onsuccess = () => {
        const db = request.result;
        // A wipe in another tab deletes the database: let it.
        db.onversionchange = () => db.close();
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
  }

  async function dbExists() {
    if (!window.indexedDB) {
      return false;
    }
    if (typeof indexedDB.databases !== "function") {
      return true;
    }
    const found = await indexedDB.databases();
    return found.some((d) => d.name === DB_NAME);
  }

  async function withDb(work) {
    const db = await openDb();
    try {
      return await work(db);
    } finally {
      db.close();
    }
  }

  function run(db, store, mode, operation) {
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const request = operation(transaction.objectStore(store));
      let result;
      request.onsuccess = () => {
        result = request.result;
      };
      transaction.oncomplete = () => resolve(result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }
  const getOne = (db, store, key) => run(db, store, "readonly", (s) => s.get(key));
  const getAll = (db, store) => run(db, store, "readonly", (s) => s.getAll());
  const putOne = (db, store, value) => run(db, store, "readwrite", (s) => s.put(value));
  const addOne = (db, store, value) => run(db, store, "readwrite", (s) => s.add(value));
  const deleteOne = (db, store, key) => run(db, store, "readwrite", (s) => s.delete(key));

  // --- Keys and sealing --------------------------------------------------------------------

  function cookie(name) {
    const match = document.cookie.match(new RegExp(`(?:^|;\\s*)${name}=([^;]*)`));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function csrfToken() {
    // The cookie, not the page: a page served from the worker's cache may be older than the
    // login (the token changes at login). Django takes the cookie's secret as the token too.
    const fromCookie = cookie(cfg.csrfCookie || "csrftoken");
    if (fromCookie) {
      return fromCookie;
    }
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fromBase64(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  async function deviceKey() {
    // The worker's device key, from the session (POST with the CSRF token, answered no-store).
    // A redirect is the login page: the session is gone.
    const response = await fetch(cfg.keyUrl, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    if (response.type === "opaqueredirect" || response.status === 401) {
      throw new LoginNeeded("login");
    }
    if (!response.ok) {
      throw new Error(`key ${response.status}`);
    }
    const body = await response.json();
    const key = await crypto.subtle.importKey(
      "raw",
      fromBase64(body.key),
      { name: "AES-GCM" },
      false,
      ["wrapKey", "unwrapKey"]
    );
    return { kid: body.kid, key };
  }

  async function ensureKeys(db, kid) {
    const existing = await getOne(db, "keys", kid);
    if (existing) {
      return existing;
    }
    const { kid: serverKid, key } = await deviceKey();
    if (serverKid !== kid) {
      throw new LoginNeeded("another login");
    }
    const pair = await crypto.subtle.generateKey(EC, true, ["deriveBits"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const wrapped = await crypto.subtle.wrapKey("pkcs8", pair.privateKey, key, {
      name: "AES-GCM",
      iv,
      additionalData: enc.encode(kid),
    });
    const record = {
      kid,
      publicRaw: await crypto.subtle.exportKey("raw", pair.publicKey),
      wrapped,
      iv,
      created: Date.now(),
    };
    try {
      // add, not put: another tab may have made the pair first, and contacts sealed to it
      // must stay readable.
      await addOne(db, "keys", record);
      return record;
    } catch (error) {
      const first = await getOne(db, "keys", kid);
      if (first) {
        return first;
      }
      throw error;
    }
  }

  async function contentKey(privateKey, publicKey, salt, usage) {
    const bits = await crypto.subtle.deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256);
    const hkdf = await crypto.subtle.importKey("raw", bits, "HKDF", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt, info: HKDF_INFO },
      hkdf,
      { name: "AES-GCM", length: 256 },
      false,
      [usage]
    );
  }

  const boundTo = (kid, offlineId) => enc.encode(`${kid}/${offlineId}`);

  async function seal(keys, offlineId, payload) {
    const recipient = await crypto.subtle.importKey("raw", keys.publicRaw, EC, false, []);
    const ephemeral = await crypto.subtle.generateKey(EC, false, ["deriveBits"]);
    const epk = await crypto.subtle.exportKey("raw", ephemeral.publicKey);
    const aes = await contentKey(ephemeral.privateKey, recipient, epk, "encrypt");
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: boundTo(keys.kid, offlineId) },
      aes,
      enc.encode(JSON.stringify(payload))
    );
    return { epk, iv, ct };
  }

  async function unseal(privateKey, record) {
    const sender = await crypto.subtle.importKey("raw", record.box.epk, EC, false, []);
    const aes = await contentKey(privateKey, sender, record.box.epk, "decrypt");
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: record.box.iv, additionalData: boundTo(record.kid, record.offline_id) },
      aes,
      record.box.ct
    );
    return JSON.parse(dec.decode(plain));
  }

  async function unlock(db, kid) {
    // The private key of this login's pair, unwrapped in memory with the session's device key;
    // null when the session is another worker's.
    const keys = await getOne(db, "keys", kid);
    if (!keys) {
      return null;
    }
    const { kid: serverKid, key } = await deviceKey();
    if (serverKid !== kid) {
      return null;
    }
    return crypto.subtle.unwrapKey(
      "pkcs8",
      keys.wrapped,
      key,
      { name: "AES-GCM", iv: keys.iv, additionalData: enc.encode(kid) },
      EC,
      false,
      ["deriveBits"]
    );
  }

  async function keep(payload) {
    await withDb(async (db) => {
      const keys = await getOne(db, "keys", cfg.kid);
      if (!keys) {
        throw new NotReady("no keys");
      }
      const box = await seal(keys, payload.offline_id, payload);
      await putOne(db, "contacts", {
        offline_id: payload.offline_id,
        kid: keys.kid,
        state: "waiting",
        saved_at: Date.now(),
        box,
        error: null,
      });
    });
  }

  // --- Sending -----------------------------------------------------------------------------

  // A contact is small: a request that has not answered in this time is on a signal too weak
  // to wait for; the contact is kept (or stays kept) and sent later. The offline_id makes it
  // harmless if the server did get it.
  const SEND_TIMEOUT_MS = 20000;

  function post(payload) {
    return fetch((form && form.dataset.apiUrl) || cfg.apiUrl, {
      signal: typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(SEND_TIMEOUT_MS) : undefined,
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(payload),
    });
  }

  // An answer that sending again would not change: the server looked at the contact and said
  // no (validation, a person not found, a role that may not). 401 (the session is gone), 408,
  // 429 and 5xx are not: the contact waits and is sent again.
  const isRefusal = (status) =>
    status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;

  async function refusal(response) {
    const body = await response.json().catch(() => ({}));
    return {
      status: response.status,
      code: String(body.code || ""),
      message: String(body.message || ""),
      field: String(body.field || ""),
      errors: Array.isArray(body.errors) ? body.errors : [],
    };
  }

  async function stored(db, record, body) {
    await deleteOne(db, "contacts", record.offline_id);
    if (body && body.conflict) {
      await putOne(db, "notices", {
        offline_id: record.offline_id,
        kid: record.kid,
        id: String(body.id || ""),
        conflict: String(body.conflict),
        at: Date.now(),
      });
    }
  }

  let problem = "";
  let sending = null;

  function sync() {
    // One round at a time in this page, and one across the phone's tabs (Web Locks): each
    // waiting contact is posted once per round; the offline_id makes a repeat harmless anyway.
    if (!sending) {
      const round = navigator.locks ? navigator.locks.request(SYNC_LOCK, () => syncRound()) : syncRound();
      sending = round.finally(() => {
        sending = null;
      });
    }
    return sending;
  }

  async function syncRound() {
    if (!capable || !cfg.kid || !cfg.apiUrl || !(await dbExists())) {
      await render();
      return;
    }
    try {
      await withDb(async (db) => {
        const waiting = (await getAll(db, "contacts")).filter(
          (r) => r.kid === cfg.kid && r.state === "waiting"
        );
        if (!waiting.length) {
          problem = "";
          return;
        }
        if (!navigator.onLine) {
          return;
        }
        let privateKey;
        try {
          privateKey = await unlock(db, cfg.kid);
        } catch (error) {
          problem = error instanceof LoginNeeded ? "login" : "retry";
          return;
        }
        if (!privateKey) {
          problem = "login";
          return;
        }
        problem = "";
        let sent = 0;
        for (const record of waiting) {
          let payload;
          try {
            payload = await unseal(privateKey, record);
          } catch (error) {
            await putOne(db, "contacts", {
              ...record,
              state: "refused",
              error: { status: 0, code: "unreadable", message: "", field: "", errors: [] },
            });
            continue;
          }
          let response;
          try {
            response = await post(payload);
          } catch (error) {
            problem = "retry"; // the network went again: the rest waits
            break;
          }
          if (response.status === 200 || response.status === 201) {
            await stored(db, record, await response.json().catch(() => ({})));
            sent += 1;
          } else if (response.type === "opaqueredirect" || response.status === 401) {
            problem = "login";
            break;
          } else if (isRefusal(response.status)) {
            const error = await refusal(response);
            if (error.code === "csrf_failed") {
              problem = "login";
              break;
            }
            await putOne(db, "contacts", { ...record, state: "refused", error });
          } else {
            problem = "retry";
            break;
          }
        }
        if (sent) {
          result(msg("sentFromPhone", sent), "success");
        }
      });
    } finally {
      await render();
    }
  }

  // --- What the page shows -----------------------------------------------------------------

  function msg(name, n) {
    const data = statusBox ? statusBox.dataset : {};
    const key = `msg${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    let text = data[key] || "";
    if (n !== undefined) {
      // The four languages have two plural forms (one for 1, another for the rest).
      text = (n === 1 ? data[`${key}One`] : data[`${key}Other`]) || "";
      text = text.replace("{n}", String(n));
    }
    return text;
  }

  function part(selector) {
    return statusBox ? statusBox.querySelector(selector) : null;
  }

  function button(label, className, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function refusalText(error) {
    if (error.code === "unreadable") {
      return msg("unreadable");
    }
    const lines = [error.message || msg("refusedUnknown")];
    for (const e of error.errors || []) {
      lines.push(e.field ? `${e.field}: ${e.message}` : String(e.message || ""));
    }
    return lines.filter(Boolean).join(" ");
  }

  function when(ms) {
    return new Date(ms).toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "short",
      timeStyle: "short",
    });
  }

  async function render() {
    if (!statusBox || !capable) {
      return;
    }
    let contacts = [];
    let notices = [];
    if (await dbExists()) {
      [contacts, notices] = await withDb((db) =>
        Promise.all([getAll(db, "contacts"), getAll(db, "notices")])
      );
    }
    const mine = contacts.filter((r) => r.kid === cfg.kid);
    const waiting = mine.filter((r) => r.state === "waiting");
    const refused = mine.filter((r) => r.state !== "waiting");
    const others = contacts.length - mine.length;
    const mineNotices = notices.filter((n) => n.kid === cfg.kid);

    statusBox.hidden = false;
    statusBox.dataset.offlineCount = String(mine.length);
    statusBox.dataset.offlineWaiting = String(waiting.length);
    statusBox.dataset.offlineRefused = String(refused.length);
    const countText = part("[data-offline-count-text]");
    if (countText) {
      const text = mine.length ? msg("count", mine.length) : msg("countNone");
      if (countText.textContent !== text) {
        countText.textContent = text;
      }
    }
    const sendRow = part("[data-offline-send-row]");
    if (sendRow) {
      sendRow.hidden = !waiting.length;
    }
    const problemBox = part("[data-offline-problem]");
    if (problemBox) {
      problemBox.hidden = !(problem && waiting.length);
      problemBox.textContent = "";
      if (problem === "login") {
        const link = document.createElement("a");
        link.href = `${cfg.loginUrl}?next=${encodeURIComponent(location.pathname)}`;
        link.textContent = msg("login");
        problemBox.append(link);
      } else if (problem) {
        problemBox.textContent = msg("retry");
      }
    }
    const refusedBox = part("[data-offline-refused]");
    if (refusedBox) {
      const list = refusedBox.querySelector("ul");
      list.replaceChildren(
        ...refused.map((record) => {
          const item = document.createElement("li");
          item.dataset.offlineId = record.offline_id;
          const text = document.createElement("p");
          const saved = document.createElement("strong");
          saved.textContent = `${msg("savedAt")} ${when(record.saved_at)}: `;
          text.append(saved, document.createTextNode(refusalText(record.error || {})));
          const actions = document.createElement("div");
          actions.className = "form-actions";
          if (form && record.error && record.error.code !== "unreadable") {
            actions.append(button(msg("open"), "secondary", () => openInForm(record)));
          }
          actions.append(button(msg("delete"), "danger", () => forget(record)));
          item.append(text, actions);
          return item;
        })
      );
      refusedBox.hidden = !refused.length;
    }
    const checkBox = part("[data-offline-check]");
    if (checkBox) {
      const list = checkBox.querySelector("ul");
      list.replaceChildren(
        ...mineNotices.map((notice) => {
          const item = document.createElement("li");
          item.dataset.offlineId = notice.offline_id;
          const text = document.createElement("p");
          text.textContent = msg(`conflict_${notice.conflict}`) || msg("conflict");
          const actions = document.createElement("div");
          actions.className = "form-actions";
          actions.append(button(msg("checked"), "secondary", () => dismiss(notice)));
          item.append(text, actions);
          return item;
        })
      );
      checkBox.hidden = !mineNotices.length;
    }
    const othersBox = part("[data-offline-others]");
    if (othersBox) {
      othersBox.hidden = !others;
      othersBox.textContent = others ? msg("others", others) : "";
    }
  }

  async function forget(record) {
    if (!window.confirm(msg("confirmDelete"))) {
      return;
    }
    await withDb((db) => deleteOne(db, "contacts", record.offline_id));
    await render();
  }

  async function dismiss(notice) {
    await withDb((db) => deleteOne(db, "notices", notice.offline_id));
    await render();
  }

  // --- The contact form --------------------------------------------------------------------

  function zoneOffset(utcMs, zone) {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(utcMs));
    const get = (type) => Number(parts.find((p) => p.type === type).value);
    return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - utcMs;
  }

  function wallToIso(value, zone) {
    // "2026-11-23T10:15" on the organisation's wall clock -> an instant (ISO, UTC).
    const [day, time] = value.split("T");
    const [y, m, d] = day.split("-").map(Number);
    const [hh, mm, ss] = (time || "0:0").split(":").map(Number);
    const naive = Date.UTC(y, m - 1, d, hh, mm, ss || 0);
    if (!zone) {
      return new Date(y, m - 1, d, hh, mm, ss || 0).toISOString();
    }
    let instant = naive - zoneOffset(naive, zone);
    instant = naive - zoneOffset(instant, zone); // once more, for the hours around a DST change
    return new Date(instant).toISOString();
  }

  function isoToWall(iso, zone) {
    const instant = Date.parse(iso);
    const shifted = new Date(instant + (zone ? zoneOffset(instant, zone) : -new Date(instant).getTimezoneOffset() * 60000));
    return shifted.toISOString().slice(0, 16);
  }

  function whole(value) {
    return /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  }

  function serialise() {
    // The form's fields are the API's ContactIn (bedring/outreach/api/contacts.py).
    const data = new FormData(form);
    const text = (name) => String(data.get(name) || "").trim();
    const who = text("who");
    const payload = {
      site: text("site"),
      at: text("at") ? wallToIso(text("at"), form.dataset.timeZone) : new Date().toISOString(),
      location_type: text("location_type"),
      place: text("place"),
      activities: data.getAll("activities").map(String),
      items_out: {},
      items_back: {},
      minutes: text("minutes") === "" ? null : whole(text("minutes")),
      staff: data.getAll("staff").map(String).filter(Boolean),
      note: String(data.get("note") || ""),
      offline_id: text("offline_id"),
    };
    const organisation = text("organisation") || form.dataset.organisation || "";
    if (organisation) {
      payload.organisation = organisation;
    }
    if ((who === "client" || !who) && text("client")) {
      payload.client = text("client");
    }
    if ((who === "pseudonym" || !who) && text("pseudonym")) {
      payload.pseudonym = text("pseudonym");
      const consent = data.get("pseudonym_consent");
      payload.pseudonym_consent = consent !== null && !["", "false", "0", "off"].includes(String(consent));
    }
    for (const [name, value] of data.entries()) {
      const match = /^(items_out|items_back)-(.+)$/.exec(name);
      if (match && String(value).trim() !== "") {
        const count = whole(String(value));
        if (count !== 0) {
          payload[match[1]][match[2]] = count;
        }
      }
    }
    return payload;
  }

  function fieldsNamed(name) {
    return [...form.elements].filter((e) => e.name === name);
  }

  function setField(name, value) {
    const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined).map(String);
    const elements = fieldsNamed(name);
    if (!elements.length) {
      // A field this page does not show (a client on the page without person data): keep
      // the value, so that sending again sends what was recorded.
      for (const v of values) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = v;
        input.dataset.restored = "";
        form.append(input);
      }
      return;
    }
    for (const el of elements) {
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = typeof value === "boolean" ? value : values.includes(el.value);
      } else if (el instanceof HTMLSelectElement) {
        for (const v of values) {
          if (![...el.options].some((o) => o.value === v)) {
            el.append(new Option(v, v));
          }
        }
        for (const option of el.options) {
          option.selected = values.includes(option.value);
        }
      } else {
        el.value = values.join(",");
      }
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function atField() {
    return form.querySelector("[name=at]");
  }

  function wallNow() {
    return isoToWall(new Date().toISOString(), form.dataset.timeZone);
  }

  function freshForm() {
    form.reset();
    form.querySelectorAll("[data-restored]").forEach((e) => e.remove());
    const id = form.querySelector("[name=offline_id]");
    if (id) {
      id.value = crypto.randomUUID();
    }
    const at = atField();
    if (at) {
      at.value = wallNow();
    }
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  async function openInForm(record) {
    let payload = null;
    try {
      payload = await withDb(async (db) => {
        const privateKey = await unlock(db, record.kid);
        return privateKey ? unseal(privateKey, record) : null;
      });
    } catch (error) {
      payload = null;
    }
    if (!payload) {
      result(msg(navigator.onLine ? "login" : "needNetwork"), "warning");
      return;
    }
    freshForm();
    setField("who", payload.client ? "client" : payload.pseudonym ? "pseudonym" : "nobody");
    for (const name of ["client", "pseudonym", "site", "location_type", "place", "minutes", "note", "offline_id", "organisation"]) {
      if (payload[name] !== undefined && payload[name] !== null && payload[name] !== "") {
        setField(name, payload[name]);
      }
    }
    setField("pseudonym_consent", Boolean(payload.pseudonym_consent));
    setField("activities", payload.activities || []);
    setField("staff", payload.staff || []);
    for (const side of ["items_out", "items_back"]) {
      for (const [key, count] of Object.entries(payload[side] || {})) {
        setField(`${side}-${key}`, count);
      }
    }
    const at = atField();
    if (at && payload.at) {
      at.value = isoToWall(payload.at, form.dataset.timeZone);
    }
    showFormError(record.error);
    form.focus();
  }

  function result(text, kind) {
    const box = document.getElementById("offline-result");
    if (!box) {
      return;
    }
    box.className = text ? `msg ${kind || ""}`.trim() : "";
    box.textContent = text;
  }

  function showFormError(error) {
    const box = document.getElementById("offline-form-error");
    form.querySelectorAll("[aria-invalid][data-offline-invalid]").forEach((e) => {
      e.removeAttribute("aria-invalid");
      delete e.dataset.offlineInvalid;
    });
    if (!box) {
      return;
    }
    box.className = error ? "msg error" : "";
    box.textContent = error ? refusalText(error) : "";
    const names = error ? [error.field, ...(error.errors || []).map((e) => e.field)] : [];
    for (const name of names.filter(Boolean)) {
      for (const el of fieldsNamed(String(name).split(".")[0])) {
        el.setAttribute("aria-invalid", "true");
        el.dataset.offlineInvalid = "";
      }
    }
    const first = fieldsNamed(String(names.find(Boolean) || "").split(".")[0])[0];
    if (first) {
      // The steps script (contact-steps.js) opens the screen the field is on.
      form.dispatchEvent(new CustomEvent("outreach:show-field", { detail: { name: first.name } }));
    }
  }

  let busy = false;

  async function onSubmit(event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    const submit = form.querySelector("[type=submit]");
    if (submit) {
      submit.disabled = true;
    }
    result("", "");
    showFormError(null);
    const payload = serialise();
    try {
      if (navigator.onLine) {
        let response = null;
        try {
          response = await post(payload);
        } catch (error) {
          response = null; // no network after all: keep it
        }
        if (response && (response.status === 200 || response.status === 201)) {
          // Stored (201), or stored before (200): a copy kept on the phone goes, and a conflict
          // waits on the phone to be checked.
          const body = await response.json().catch(() => ({}));
          await withDb((db) => stored(db, { offline_id: payload.offline_id, kid: cfg.kid }, body));
          if (body.id && cfg.contactUrl) {
            // The same confirmation as the form without the script: what was recorded, for
            // whom, and "Record another" as the next step.
            const seen = response.status === 201 ? "1" : "again";
            location.assign(`${cfg.contactUrl.replace("{id}", body.id)}?recorded=${seen}`);
            return;
          }
          freshForm();
          result(msg("sent"), "success");
          return;
        }
        if (response && response.type !== "opaqueredirect" && isRefusal(response.status)) {
          const error = await refusal(response);
          if (error.code !== "csrf_failed") {
            showFormError(error); // nothing is stored: what was typed stays in the form
            return;
          }
        }
      }
      await keep(payload);
      freshForm();
      result(msg("saved"), "success");
      if (navigator.onLine) {
        sync();
      }
    } catch (error) {
      result(msg(error instanceof NotReady ? "notReady" : "notKept"), "error");
    } finally {
      busy = false;
      if (submit) {
        submit.disabled = false;
      }
      await render();
    }
  }

  async function installWorker() {
    if (!("serviceWorker" in navigator) || !cfg.swUrl) {
      return;
    }
    await navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.swScope, updateViaCache: "none" });
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.onLine || !registration.active) {
      return;
    }
    // Ask the worker to cache this page's shell now, while the network and the login are here.
    const ok = await new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => resolve(Boolean(event.data && event.data.ok));
      registration.active.postMessage({ type: "cache-shell" }, [channel.port2]);
    });
    if (ok) {
      form.dataset.offlineReady = "true";
    }
  }

  function refreshTokens() {
    // A shell served from the cache carries the CSRF token of the day it was cached.
    const token = cookie(cfg.csrfCookie || "csrftoken");
    if (!token) {
      return;
    }
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((input) => {
      input.value = token;
    });
    if (document.body.hasAttribute("hx-headers")) {
      document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    }
  }

  async function setUpForm() {
    if (!capable) {
      if (statusBox) {
        statusBox.hidden = false;
        const countText = part("[data-offline-count-text]");
        if (countText) {
          countText.textContent = msg("unsupported");
        }
      }
      return; // the form posts as a plain form
    }
    refreshTokens();
    const id = form.querySelector("[name=offline_id]");
    if (id) {
      id.value = crypto.randomUUID(); // a page from the cache would repeat the cached id
    }
    const at = atField();
    if (at && !at.value) {
      at.value = wallNow();
    }
    form.addEventListener("submit", onSubmit);
    const send = part("[data-offline-send]");
    if (send) {
      send.addEventListener("click", () => sync());
    }
    if (navigator.onLine && cfg.kid) {
      try {
        await withDb((db) => ensureKeys(db, cfg.kid));
      } catch (error) {
        // Not now (no network after all, or the session is gone): recording offline tells why.
      }
    }
    await render();
    installWorker().catch(() => {});
  }

  // --- Logging out -------------------------------------------------------------------------

  async function notSentCount() {
    if (!capable || !(await dbExists())) {
      return 0;
    }
    const contacts = await withDb((db) => getAll(db, "contacts"));
    return contacts.length;
  }

  function guardLogout() {
    const dialog = document.getElementById("offline-logout");
    if (!dialog || !cfg.logoutUrl) {
      return;
    }
    const title = dialog.querySelector("[data-offline-logout-count]");
    let pending = null;
    const showCount = (n) => {
      title.textContent = (n === 1 ? title.dataset.one : title.dataset.other).replace("{n}", String(n));
    };
    document.addEventListener("submit", async (event) => {
      const target = event.target;
      if (!(target instanceof HTMLFormElement) || new URL(target.action, location.href).pathname !== cfg.logoutUrl) {
        return;
      }
      event.preventDefault();
      const n = await notSentCount().catch(() => 0);
      if (!n) {
        target.submit(); // submit() does not come back here
        return;
      }
      pending = target;
      showCount(n);
      dialog.showModal();
    });
    dialog.querySelector("[data-offline-stay]").addEventListener("click", () => dialog.close());
    dialog.querySelector("[data-offline-logout-anyway]").addEventListener("click", () => {
      dialog.close();
      if (pending) {
        pending.submit();
      }
    });
    dialog.querySelector("[data-offline-logout-send]").addEventListener("click", async () => {
      await sync();
      const n = await notSentCount().catch(() => 0);
      if (!n && pending) {
        dialog.close();
        pending.submit();
      } else {
        showCount(n);
      }
    });
  }

  // --- After a logout: forget everything ---------------------------------------------------

  async function wipe() {
    // The logout answer asked the browser to clear the site's storage (Clear-Site-Data); this
    // does the same for a browser that did not, and tells the page when it is done.
    if (window.indexedDB) {
      const names =
        typeof indexedDB.databases === "function"
          ? (await indexedDB.databases()).map((d) => d.name).filter((n) => n && n.startsWith("bedring"))
          : [DB_NAME];
      await Promise.all(
        names.map(
          (name) =>
            new Promise((resolve) => {
              const request = indexedDB.deleteDatabase(name);
              request.onsuccess = () => resolve();
              request.onerror = () => resolve();
            })
        )
      );
    }
    if (window.caches) {
      for (const name of await caches.keys()) {
        if (name.startsWith("bedring")) {
          await caches.delete(name);
        }
      }
    }
    if (navigator.serviceWorker) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) {
        await registration.unregister();
      }
    }
    document.cookie = `${cfg.wipeCookie}=; Max-Age=0; path=/; SameSite=Strict`;
    document.documentElement.dataset.offlineWiped = "true";
  }

  // --- Start -------------------------------------------------------------------------------

  async function start() {
    if (cfg.wipeCookie && cookie(cfg.wipeCookie)) {
      await wipe().catch(() => {});
      return; // nothing is left to send or show
    }
    guardLogout();
    if (form) {
      await setUpForm();
    }
    window.addEventListener("online", () => sync());
    window.addEventListener("offline", () => render());
    if (capable && cfg.kid && navigator.onLine) {
      await sync();
    }
  }

  start();
})();
