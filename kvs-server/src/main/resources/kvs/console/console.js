// The KVS web console: plain JavaScript on the server's own JSON API (/v1/status, /v1/kv).
// Everything the page shows comes from refresh(), the one place that reads the server: it runs
// every REFRESH_MS, right after each change the page makes, and as soon as the server's watch
// stream (/v1/watch, Server-Sent Events) reports a change made by anyone.
"use strict";

(() => {
  const REFRESH_MS = 1500;
  const PAGE_SIZE = 20;
  /** Characters of a value shown in the key list and, for each version, in the history. */
  const LIST_CHARS = 200;
  const HISTORY_CHARS = 4000;

  const $ = (id) => document.getElementById(id);

  /** What the page shows: the key list's prefix and page, and the key whose history is open. */
  const view = {
    prefix: "",
    /** The key each page starts after (null: the first page); the last is the page shown. */
    pageStarts: [null],
    openKey: null,
  };
  /** The problems shown in the alert area: of the last refresh, and of the last action. */
  const problems = { refresh: null, action: null };
  let lastUpdate = null;

  /** An answer other than 2xx, or no answer at all (status 0, code UNREACHABLE). */
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** Calls the API; the answer's text, or an ApiError. */
  async function api(method, path, body) {
    const init = { method, cache: "no-store", headers: {} };
    if (body !== undefined) {
      init.body = body;
      init.headers["Content-Type"] = "text/plain; charset=utf-8";
    }
    let response;
    let text;
    try {
      response = await fetch(path, init);
      text = await response.text();
    } catch (e) {
      throw new ApiError(0, "UNREACHABLE", `no answer from ${location.host}`);
    }
    if (!response.ok) {
      let code = `HTTP_${response.status}`;
      let message = text.trim() || response.statusText;
      try {
        const error = JSON.parse(text);
        code = error.code || code;
        message = error.error || message;
      } catch (ignored) {
        // not JSON: the text as it came
      }
      throw new ApiError(response.status, code, message);
    }
    return text;
  }

  const keyPath = (key) => `/v1/kv/${encodeURIComponent(key)}`;

  // --- the refresh: the one function that reads the server ----------------------------------

  let running = null;
  let again = false;
  let timer = null;

  /**
   * Reads the status, the key page and the open history, and shows them; then again after
   * REFRESH_MS. Called while one runs, it runs once more right after (so a change is seen).
   */
  function refresh() {
    if (running) {
      again = true;
      return running;
    }
    clearTimeout(timer);
    running = refreshOnce().finally(() => {
      running = null;
      if (again) {
        again = false;
        refresh();
      } else {
        timer = setTimeout(refresh, REFRESH_MS);
      }
    });
    return running;
  }

  async function refreshOnce() {
    const asked = snapshotOfView();
    const results = await Promise.allSettled([
      api("GET", "/v1/status"),
      api("GET", keyListPath(asked)),
      asked.openKey === null ? Promise.resolve(null) : history(asked.openKey),
    ]);
    const [status, keys, versions] = results;
    if (status.status === "fulfilled") {
      const parsed = JSON.parse(status.value);
      showCluster(parsed);
      watchChanges(parsed.position);
      lastUpdate = new Date();
    }
    // An answer for a view the user has left since is not shown.
    if (sameView(asked, snapshotOfView())) {
      if (keys.status === "fulfilled") {
        showKeys(keys.value);
      }
      if (versions.status === "fulfilled" && asked.openKey !== null) {
        showHistory(asked.openKey, versions.value);
      }
    }
    const failed = results.find((r) => r.status === "rejected");
    setProblem("refresh", failed ? failed.reason : null);
    document.body.classList.toggle("stale", Boolean(failed) && failed.reason.code === "UNREACHABLE");
    showConnection(failed ? failed.reason : null);
  }

  // --- live changes: the watch stream ------------------------------------------------------

  let changes = null;

  /**
   * Keeps one EventSource on /v1/watch, from `position` when it (re)opens: each change refreshes
   * the page at once. The browser resumes a cut stream itself (Last-Event-ID); one the server
   * refused for good (410: its history no longer reaches back) is opened again at the next refresh.
   */
  function watchChanges(position) {
    if (typeof EventSource === "undefined") {
      return; // polling alone
    }
    if (changes !== null && changes.readyState !== EventSource.CLOSED) {
      return;
    }
    changes = new EventSource(`/v1/watch?from=${position}`);
    changes.addEventListener("change", () => refresh());
  }

  function snapshotOfView() {
    return {
      prefix: view.prefix,
      after: view.pageStarts[view.pageStarts.length - 1],
      openKey: view.openKey,
    };
  }

  function sameView(a, b) {
    return a.prefix === b.prefix && a.after === b.after && a.openKey === b.openKey;
  }

  function keyListPath(asked) {
    const query = new URLSearchParams({ prefix: asked.prefix, limit: String(PAGE_SIZE + 1) });
    if (asked.after !== null) {
      query.set("after", asked.after);
    }
    return `/v1/kv?${query}`;
  }

  /** A key's live versions, ascending; [] when it has none. */
  async function history(key) {
    try {
      return JSON.parse(await api("GET", `${keyPath(key)}/versions`)).versions;
    } catch (e) {
      if (e.code === "NOT_FOUND") {
        return [];
      }
      throw e;
    }
  }

  // --- problems and the connection line -----------------------------------------------------

  /** A problem in plain words: what failed, why, and what the page does about it. */
  function describe(error, what) {
    switch (error.code) {
      case "UNREACHABLE":
        return (
          `Server unreachable: ${error.message} (stopped, or the network is down); ` +
          `retrying every ${REFRESH_MS / 1000} s.` +
          (lastUpdate ? ` The data shown is from ${time(lastUpdate)}.` : "")
        );
      case "CATCHING_UP":
        return (
          `${what}: the server is catching up with its peers (503 CATCHING_UP) and answers ` +
          "once it has. " +
          (what === "Refresh" ? "Retrying." : "Try again in a moment.")
        );
      default:
        return `${what} failed: ${error.message} (${error.status} ${error.code}).`;
    }
  }

  function setProblem(slot, error, what = "Refresh") {
    problems[slot] = error ? describe(error, what) : null;
    const lines = [problems.refresh, problems.action].filter(Boolean);
    const area = $("problem");
    setText(area, lines.join("\n"));
    area.hidden = lines.length === 0;
  }

  function showConnection(error) {
    const text = !error
      ? `Live: changes as they are applied, the cluster every ${REFRESH_MS / 1000} s.`
      : error.code === "UNREACHABLE"
        ? "Unreachable."
        : error.code === "CATCHING_UP"
          ? "Catching up."
          : "Trouble: see below.";
    setText($("connection"), text);
    $("connection").className = error ? "bad" : "good";
    setText($("updated"), lastUpdate ? `Last update ${time(lastUpdate)}.` : "");
  }

  const time = (date) => date.toLocaleTimeString([], { hour12: false });

  // --- the cluster --------------------------------------------------------------------------

  function showCluster(status) {
    setText($("server-name"), `· ${status.serverId} (gRPC port ${status.port})`);
    document.title = `KVS console · ${status.serverId}`;
    const servers = [
      { ...status, self: true },
      ...status.peers.map((peer) => ({ ...peer, self: false })),
    ];
    const furthest = Math.max(...servers.map((s) => s.position));
    const rows = servers.map((server) => {
      const behind = furthest - server.position;
      const agreement = server.self
        ? "this server"
        : server.position !== status.position
          ? "at another position"
          : server.digest === status.digest
            ? "same data"
            : "DIFFERENT data at the same position";
      const tr = row([
        server.self ? `${server.serverId} (this one)` : server.serverId,
        String(server.port),
        server.position.toLocaleString("en"),
        behind === 0 ? "0" : entryCount(behind),
        code(server.digest),
        agreement,
        server.self ? (server.brokerConnected ? "connected" : "NOT connected") : "heard through it",
        server.caughtUp ? "yes" : "no, catching up",
        server.self ? "—" : `${server.lastHeardMs} ms ago`,
      ]);
      tr.dataset.server = server.serverId;
      tr.classList.toggle("self", server.self);
      tr.classList.toggle("warn", behind > 0 || !server.caughtUp || agreement.startsWith("DIFF"));
      return tr;
    });
    replaceRows($("servers").tBodies[0], rows, null);
    setText($("cluster-summary"), clusterSummary(status, servers, furthest));
    setText(
      $("store-counts"),
      `This server holds ${status.keys.toLocaleString("en")} keys with ` +
        `${status.versions.toLocaleString("en")} live versions.`,
    );
  }

  function clusterSummary(status, servers, furthest) {
    const notes = [];
    if (!status.brokerConnected) {
      notes.push("This server is NOT connected to the broker: it hears no peer and cannot write.");
    }
    if (!status.caughtUp) {
      notes.push("This server is catching up: reads and writes wait until it has.");
    }
    const behind = servers.filter((s) => s.position < furthest);
    const differ = servers.filter((s) => s.position === status.position && s.digest !== status.digest);
    if (behind.length === 0 && differ.length === 0) {
      notes.push(
        servers.length === 1
          ? "No other server heard from in the last few seconds."
          : `${servers.length} servers agree: same position and digest.`,
      );
    } else {
      for (const s of behind) {
        notes.push(`${s.serverId} is ${entryCount(furthest - s.position)} behind.`);
      }
      for (const s of differ) {
        notes.push(`${s.serverId} holds different data at the same position.`);
      }
    }
    return notes.join(" ");
  }

  const entryCount = (n) => `${n.toLocaleString("en")} ${n === 1 ? "entry" : "entries"}`;

  // --- the key list -------------------------------------------------------------------------

  function showKeys(ndjson) {
    const entries = ndjson
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line));
    const shown = entries.slice(0, PAGE_SIZE);
    const more = entries.length > PAGE_SIZE;
    const rows = shown.map((entry) => {
      const open = button("History", () => openKey(entry.key), `History of ${entry.key}`);
      open.dataset.focus = `open:${entry.key}`;
      const tr = row([code(entry.key), String(entry.version), value(entry.value, LIST_CHARS), open]);
      tr.dataset.key = entry.key;
      if (entry.key === view.openKey) {
        tr.setAttribute("aria-current", "true");
      }
      return tr;
    });
    replaceRows($("key-list").tBodies[0], rows, $("keys-title"));
    const page = view.pageStarts.length - 1;
    const first = page * PAGE_SIZE + 1;
    const scope = view.prefix === "" ? "" : ` starting with “${view.prefix}”`;
    setText(
      $("key-page"),
      shown.length === 0
        ? page === 0
          ? `No key${scope}.`
          : `No more keys${scope}.`
        : `Keys ${first}–${first + shown.length - 1}${scope}${more ? ", more on the next page" : ""}.`,
    );
    $("previous-page").disabled = page === 0;
    $("first-page").disabled = page === 0;
    $("next-page").disabled = !more;
    $("next-page").dataset.after = more ? shown[shown.length - 1].key : "";
  }

  // --- the history --------------------------------------------------------------------------

  function showHistory(key, versions) {
    $("history-empty").hidden = true;
    $("history-view").hidden = false;
    setText($("history-key"), key);
    const newestFirst = [...versions].reverse();
    const rows = newestFirst.map((v) => {
      const remove = button(
        `Remove version ${v.version}`,
        () => removeVersion(key, v.version),
        `Remove version ${v.version} of ${key}`,
      );
      remove.dataset.focus = `remove:${v.version}`;
      const tr = row([String(v.version), value(v.value, HISTORY_CHARS), remove]);
      tr.dataset.version = String(v.version);
      return tr;
    });
    replaceRows($("versions").tBodies[0], rows, $("history-title"));
    setText(
      $("history-note"),
      versions.length === 0
        ? "No live version: the key was removed, or never written."
        : versions.length === 1
          ? "1 live version."
          : `${versions.length} live versions, newest first.`,
    );
    $("remove-all-row").hidden = versions.length === 0 || !$("confirm-remove-all").hidden;
    if (versions.length === 0) {
      $("confirm-remove-all").hidden = true;
    }
    setText(
      $("confirm-text"),
      `Remove all ${versions.length === 1 ? "1 version" : `${versions.length} versions`} of ${key}?`,
    );
  }

  function openKey(key) {
    showOpening(key);
    refresh();
  }

  /** Shows `key`'s history as opening; the next refresh fills it. */
  function showOpening(key) {
    view.openKey = key;
    $("confirm-remove-all").hidden = true;
    setText($("history-result"), "");
    setText($("history-key"), key);
    $("history-empty").hidden = true;
    $("history-view").hidden = false;
    replaceRows($("versions").tBodies[0], [], null);
    setText($("history-note"), "Loading…");
    for (const tr of $("key-list").tBodies[0].rows) {
      if (tr.dataset.key === key) {
        tr.setAttribute("aria-current", "true");
      } else {
        tr.removeAttribute("aria-current");
      }
    }
  }

  // --- changes ------------------------------------------------------------------------------

  /** Runs a change: its result in `resultArea`, its failure in the alert area; then a refresh. */
  async function change(what, resultArea, call) {
    setProblem("action", null);
    setText(resultArea, `${what}…`);
    try {
      setText(resultArea, await call());
    } catch (e) {
      setText(resultArea, "");
      setProblem("action", e, what);
    }
    refresh();
  }

  function insert(event) {
    event.preventDefault();
    const key = $("insert-key").value;
    const value = $("insert-value").value;
    const tooShort = [
      [$("insert-key"), key],
      [$("insert-value"), value],
    ].filter(([, text]) => [...text].length < 3);
    for (const field of [$("insert-key"), $("insert-value")]) {
      field.setAttribute("aria-invalid", String(tooShort.some(([f]) => f === field)));
    }
    if (tooShort.length > 0) {
      setText($("insert-result"), "");
      setProblem(
        "action",
        new ApiError(400, "INVALID_INPUT", "keys and values have at least 3 characters"),
        "Insert",
      );
      tooShort[0][0].focus();
      return;
    }
    change("Insert", $("insert-result"), async () => {
      const answer = JSON.parse(await api("PUT", keyPath(key), value));
      if (view.openKey !== key) {
        showOpening(key);
      }
      return `Inserted ${key}: version ${answer.version}.`;
    });
  }

  function removeVersion(key, version) {
    change(`Remove version ${version}`, $("history-result"), async () => {
      await api("DELETE", `${keyPath(key)}?version=${version}`);
      return `Removed version ${version} of ${key}.`;
    });
  }

  function askRemoveAll() {
    $("remove-all-row").hidden = true;
    $("confirm-remove-all").hidden = false;
    $("confirm-remove-all-yes").focus();
  }

  function cancelRemoveAll() {
    $("confirm-remove-all").hidden = true;
    $("remove-all-row").hidden = false;
    $("remove-all").focus();
  }

  function removeAll() {
    const key = view.openKey;
    $("confirm-remove-all").hidden = true;
    $("history-title").focus();
    change("Remove all versions", $("history-result"), async () => {
      await api("DELETE", keyPath(key));
      return `Removed every version of ${key}.`;
    });
  }

  // --- paging -------------------------------------------------------------------------------

  function search(event) {
    event.preventDefault();
    view.prefix = $("prefix").value;
    view.pageStarts = [null];
    refresh();
  }

  function nextPage() {
    const after = $("next-page").dataset.after;
    if (after) {
      view.pageStarts.push(after);
      refresh();
    }
  }

  function previousPage() {
    if (view.pageStarts.length > 1) {
      view.pageStarts.pop();
      refresh();
    }
  }

  function firstPage() {
    view.pageStarts = [null];
    refresh();
  }

  // --- DOM helpers --------------------------------------------------------------------------

  /** Sets an element's text only when it changes, so that live regions speak only of news. */
  function setText(element, text) {
    if (element.textContent !== text) {
      element.textContent = text;
    }
  }

  function row(cells) {
    const tr = document.createElement("tr");
    for (const cell of cells) {
      const td = document.createElement("td");
      td.append(cell);
      tr.append(td);
    }
    return tr;
  }

  function code(text) {
    const element = document.createElement("code");
    element.textContent = text;
    return element;
  }

  /** A value as text (never as HTML), cut at `limit` characters with a note of the rest. */
  function value(text, limit) {
    const element = document.createElement("span");
    element.className = "value";
    const chars = [...text];
    if (chars.length <= limit) {
      element.textContent = text;
    } else {
      element.textContent = chars.slice(0, limit).join("");
      const rest = document.createElement("span");
      rest.className = "muted";
      rest.textContent = ` … (${(chars.length - limit).toLocaleString("en")} more characters)`;
      element.append(rest);
    }
    return element;
  }

  function button(label, onClick, accessibleName) {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    if (accessibleName) {
      element.setAttribute("aria-label", accessibleName);
    }
    element.addEventListener("click", onClick);
    return element;
  }

  /**
   * Replaces a table body's rows when they changed. Keyboard focus on one of its buttons stays on
   * the new button of the same role, or moves to `fallback` when that button is gone.
   */
  function replaceRows(tbody, rows, fallback) {
    const html = rows.map((tr) => tr.outerHTML).join("");
    if (tbody.dataset.rendered === html) {
      return;
    }
    const focused = tbody.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
    tbody.replaceChildren(...rows);
    tbody.dataset.rendered = html;
    if (focused !== null && focused !== undefined) {
      const same = tbody.querySelector(`[data-focus="${CSS.escape(focused)}"]`);
      (same || fallback || document.body).focus();
    }
  }

  // --- start --------------------------------------------------------------------------------

  $("search-form").addEventListener("submit", search);
  $("insert-form").addEventListener("submit", insert);
  $("next-page").addEventListener("click", nextPage);
  $("previous-page").addEventListener("click", previousPage);
  $("first-page").addEventListener("click", firstPage);
  $("remove-all").addEventListener("click", askRemoveAll);
  $("confirm-remove-all-yes").addEventListener("click", removeAll);
  $("confirm-remove-all-no").addEventListener("click", cancelRemoveAll);
  $("confirm-remove-all").addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      cancelRemoveAll();
    }
  });
  refresh();
})();
