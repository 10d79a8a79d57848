/* Kvalitet – progressive enhancement for the server-rendered pages. No framework, no build step.
 *
 * Every page works without this file: forms post to the server. With it:
 *  - sources open in a side panel (a native <dialog>: Esc closes it, focus returns);
 *  - "Visa historik" loads the activity's path across years in place;
 *  - review (Godkänn / Redigera / Avvisa) and "Skapa utkast" go through the JSON API and the
 *    report is updated in place, with a busy indicator and a spoken status;
 *  - the chat panel streams its answers (fetch + ReadableStream on text/event-stream).
 * Every state-changing request carries the session's CSRF token (X-CSRF-Token), read from
 * <meta name="csrf-token">. Text from the server is inserted with textContent, or as HTML only
 * when it is a fragment rendered (and escaped) by our own templates.
 */
(function () {
  "use strict";

  var CONFLICT = "Någon annan har ändrat förslaget – ladda om sidan för att se den nya versionen.";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function announce(text) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.textContent = "";
    window.setTimeout(function () { el.textContent = text; }, 60);
  }

  /* The Swedish half of the service's bilingual messages ("sv / en: sv reason / en reason"). */
  function swedish(message) {
    var i = message.indexOf(" / ");
    if (i < 0) return message;
    var head = message.slice(0, i);
    var tail = message.slice(i + 3);
    var j = tail.indexOf(": ");
    if (j >= 0 && j + 2 < tail.length) return head + ": " + swedish(tail.slice(j + 2));
    return head;
  }

  var STATUS_TEXT = {
    401: "Du är inte inloggad längre. Ladda om sidan och logga in igen.",
    403: "Du har inte behörighet att göra det här.",
    404: "Det du försökte ändra finns inte längre. Ladda om sidan.",
    409: CONFLICT,
    413: "Det du skickade är för stort.",
    503: "Tjänsten svarar inte just nu. Försök igen om en stund."
  };

  function errorText(data, status) {
    if (data && data.error && data.error.message) {
      if (data.error.code === "csrf_failed") return "Sidan har varit öppen för länge. Ladda om sidan och försök igen.";
      return swedish(data.error.message);
    }
    return STATUS_TEXT[status] || "Något gick fel (felkod " + status + "). Försök igen.";
  }

  function HttpError(message, status, data) {
    this.message = message;
    this.status = status;
    this.data = data;
  }

  function api(method, url, body) {
    var headers = { "Accept": "application/json", "X-CSRF-Token": csrfToken() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method, credentials: "same-origin", headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        if (!res.ok) throw new HttpError(errorText(data, res.status), res.status, data);
        return data;
      });
    }, function () {
      throw new HttpError("Ingen kontakt med servern. Kontrollera nätverket och försök igen.", 0, null);
    });
  }

  /* A fragment rendered by our own templates (autoescaped on the server). */
  function fragment(url) {
    var u = new URL(url, window.location.href);
    u.searchParams.set("fragment", "1");
    return fetch(u.toString(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) {
        if (res.redirected && new URL(res.url).pathname === "/logga-in") {
          throw new HttpError(STATUS_TEXT[401], 401, null);
        }
        return res.text().then(function (html) {
          if (!res.ok && !html) throw new HttpError(STATUS_TEXT[res.status] || "Något gick fel.", res.status, null);
          return html;
        });
      }, function () {
        throw new HttpError("Ingen kontakt med servern. Kontrollera nätverket och försök igen.", 0, null);
      });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "class") node.className = attrs[k];
      else if (k === "hidden") node.hidden = !!attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function focusElement(node) {
    if (!node) return;
    if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
    node.focus();
  }

  /* ---- focus on load (error summaries, results) --------------------------------------- */
  function focusOnLoad() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) focusElement(target);
  }

  /* ---- sources in a side panel --------------------------------------------------------- */
  function initSourcePanel() {
    var dialog = document.getElementById("kalla-dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var body = document.getElementById("kalla-dialog-innehall");
    var heading = document.getElementById("kalla-dialog-rubrik");
    var opener = null;

    function open(link) {
      if (!dialog.open) {
        opener = link;
        dialog.showModal();
      }
      body.textContent = "";
      body.appendChild(el("p", { "class": "laddar" }, "Hämtar källan …"));
      heading.focus();
      fragment(link.href).then(function (html) {
        body.innerHTML = html;
        var hit = body.querySelector("#stycket");
        if (hit && hit.scrollIntoView) hit.scrollIntoView({ block: "center" });
        var title = body.querySelector(".filnamn");
        announce("Källan visas: " + (title ? title.textContent : ""));
      }).catch(function (err) {
        body.textContent = "";
        body.appendChild(el("p", { "class": "meddelande meddelande-fel", role: "alert" }, err.message));
      });
    }

    document.addEventListener("click", function (ev) {
      var link = ev.target.closest ? ev.target.closest("a[data-passage]") : null;
      if (!link || ev.defaultPrevented || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      open(link);
    });
    dialog.addEventListener("click", function (ev) {
      if (ev.target === dialog) dialog.close(); // a click on the backdrop
    });
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (button) {
      button.addEventListener("click", function () { dialog.close(); });
    });
    dialog.addEventListener("close", function () {
      body.textContent = "";
      if (opener && document.body.contains(opener)) opener.focus();
      opener = null;
    });
  }

  /* ---- "Visa historik" in place -------------------------------------------------------- */
  function initHistory() {
    document.querySelectorAll("details[data-src]").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (!details.open || details.dataset.loaded) return;
        details.dataset.loaded = "1";
        var box = details.querySelector(".historik-innehall");
        box.textContent = "";
        box.appendChild(el("p", null, "Hämtar historiken …"));
        fragment(details.dataset.src).then(function (html) {
          box.innerHTML = html;
        }).catch(function (err) {
          delete details.dataset.loaded;
          box.textContent = "";
          box.appendChild(el("p", { "class": "meddelande meddelande-fel" }, err.message));
        });
      });
    });
  }

  /* ---- the report page: review and drafts through the API ----------------------------- */
  function initReport() {
    var content = document.getElementById("rapport-innehall");
    if (!content) return;

    function enhance() {
      content.querySelectorAll("[data-cancel-edit]").forEach(function (b) { b.hidden = false; });
    }
    enhance();

    function refresh(focusSelector, message) {
      var url = window.location.pathname + "?del=innehall";
      return fragment(url).then(function (html) {
        content.innerHTML = html;
        enhance();
        if (focusSelector) focusElement(content.querySelector(focusSelector));
        if (message) announce(message);
      });
    }

    function setBusy(form, busy) {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = busy; });
      var indicator = form.querySelector(".upptagen");
      if (indicator) indicator.hidden = !busy;
      if (busy) form.setAttribute("aria-busy", "true"); else form.removeAttribute("aria-busy");
    }

    /* The reviewer edits [1], [2]: the numbers of the sources; the text keeps [p_…] markers. */
    function markers(text, citations) {
      var ids = (citations || "").split(" ").filter(Boolean);
      if (!ids.length) return text;
      return text.replace(/\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]/g, function (match, list) {
        var ns = list.split(/\s*,\s*/).map(Number);
        if (!ns.every(function (n) { return n >= 1 && n <= ids.length; })) return match;
        return "[" + ns.map(function (n) { return ids[n - 1]; }).join(", ") + "]";
      });
    }

    function review(form) {
      var card = form.closest("[data-suggestion-id]");
      var id = card.dataset.suggestionId;
      var action = form.dataset.review;
      var version = parseInt(form.elements.version.value, 10);
      var status = action === "edit" ? form.querySelector(".redigera-status") : card.querySelector(".granska > .forslag-status");
      var forms = card.querySelectorAll("form");
      forms.forEach(function (f) { setBusy(f, true); });
      status.className = "forslag-status";
      status.textContent = "Sparar …";
      var call;
      if (action === "accept") call = api("POST", "/api/suggestions/" + id + "/accept", { version: version });
      else if (action === "reject") call = api("POST", "/api/suggestions/" + id + "/reject", { version: version });
      else call = api("PATCH", "/api/suggestions/" + id, { text: markers(form.elements.text.value, form.dataset.citations), version: version });
      var done = { accept: "Förslaget är godkänt.", reject: "Förslaget är avvisat.", edit: "Din ändring är sparad." }[action];
      call.then(function () {
        return refresh("#forslag-" + id + " .forslag-rubrik", done);
      }).catch(function (err) {
        forms.forEach(function (f) { setBusy(f, false); });
        status.className = "forslag-status fel";
        status.textContent = "";
        var text = err.message;
        if (err.status === 409 && !/publicerad/.test(text)) {
          text = CONFLICT + (action === "edit" ? " Din text finns kvar i rutan så att du kan kopiera den." : "");
        }
        status.appendChild(document.createTextNode(text + " "));
        if (err.status === 409 || err.status === 401 || err.status === 403) {
          var reload = el("button", { type: "button", "class": "knapp knapp-sekundar" }, "Ladda om sidan");
          reload.addEventListener("click", function () { window.location.reload(); });
          status.appendChild(reload);
        }
        if (status.scrollIntoView) status.scrollIntoView({ block: "nearest" });
      });
    }

    function draft(form) {
      var itemId = form.dataset.itemId;
      var old = form.querySelector(".utkast-fel");
      if (old) old.remove();
      setBusy(form, true);
      announce("Skapar utkast. Det kan ta en stund.");
      api("POST", form.dataset.draft, {}).then(function (out) {
        var n = out && out.suggestions ? out.suggestions.length : 0;
        var message = n
          ? "Utkastet är klart: " + n + (n === 1 ? " förslag väntar" : " förslag väntar") + " på granskning."
          : "Det fanns inget underlag i tidigare års dokument för den här aktiviteten.";
        var notices = out && out.notices ? Object.keys(out.notices) : [];
        if (notices.length) {
          message += " Inget förslag till " + notices.map(function (k) { return SECTION_NAMES[k] || k; }).join(", ") +
            ": inget i tidigare års dokument handlar om den här aktiviteten.";
        }
        return refresh("#aktivitet-" + itemId + "-rubrik", message);
      }).catch(function (err) {
        setBusy(form, false);
        var p = el("p", { "class": "meddelande meddelande-fel utkast-fel", role: "alert" }, err.message);
        form.appendChild(p);
      });
    }

    /* "Skapa utkast för alla aktiviteter": the job runs on the server; its progress is polled
     * (GET /api/jobs/{id}, once a second) and shown, and the report shows each new draft as it
     * comes, without a reload. A report being edited is not redrawn under the reviewer's hands:
     * the new drafts then wait behind a button. */
    var jobBox = document.getElementById("jobb-status");
    var draftAllForm = document.querySelector("form[data-draft-all]");
    var jobTimer = null;

    function editing() {
      var active = document.activeElement;
      return !!content.querySelector("details.redigera[open]") ||
        !!(active && content.contains(active) && active.tagName === "TEXTAREA");
    }

    function jobText(job) {
      var done = job.done + job.failed;
      if (job.state === "queued" || job.state === "running") {
        return "Utkast skapas för alla aktiviteter: " + done + " av " + job.total + " avsnitt klara" +
          (job.failed ? " (" + job.failed + " misslyckades)" : "") + ".";
      }
      if (job.state === "done") {
        return "Klart: " + job.drafted + " avsnitt fick utkast" +
          (job.no_draft ? ", " + job.no_draft + " fick inget förslag (underlag saknas)" : "") +
          (job.skipped ? ", " + job.skipped + " hade redan förslag" : "") +
          (job.failed ? ", " + job.failed + " misslyckades" : "") + ". Förslagen väntar på granskning.";
      }
      if (job.state === "failed") return "Utkasten kunde inte skapas. " + swedish(job.message || "");
      return "Utkasten för alla aktiviteter avbröts.";
    }

    function showJob(job) {
      if (!jobBox) return;
      jobBox.hidden = false;
      jobBox.dataset.state = job.state;
      var done = job.done + job.failed;
      var bar = jobBox.querySelector("progress");
      if (bar) {
        bar.max = job.total || 1;
        bar.value = done;
        bar.textContent = done + " av " + job.total;
      }
      jobBox.querySelector(".jobb-text").textContent = jobText(job);
      jobBox.className = "jobb meddelande " + (job.state === "failed" ? "meddelande-fel" : job.state === "done" ? "meddelande-ok" : "meddelande-info");
    }

    function offerRefresh() {
      if (!jobBox || jobBox.querySelector("[data-show-drafts]")) return;
      var b = el("button", { type: "button", "class": "knapp knapp-sekundar", "data-show-drafts": "" }, "Visa de nya förslagen");
      b.addEventListener("click", function () { b.remove(); refresh(null, "Rapporten visar de nya förslagen."); });
      jobBox.appendChild(b);
    }

    function pollJob(url, lastDone) {
      window.clearTimeout(jobTimer);
      api("GET", url).then(function (job) {
        showJob(job);
        var done = job.done + job.failed;
        var finished = job.state !== "queued" && job.state !== "running";
        var redraw = Promise.resolve();
        if (done !== lastDone || finished) {
          if (editing()) offerRefresh(); else redraw = refresh(null, null);
        }
        return redraw.then(function () {
          if (finished) {
            var button = draftAllForm ? draftAllForm.querySelector("button") : null;
            if (button) button.disabled = false;
            announce(jobText(job));
          } else {
            jobTimer = window.setTimeout(function () { pollJob(url, done); }, 1000);
          }
        });
      }).catch(function (err) {
        if (jobBox) jobBox.querySelector(".jobb-text").textContent = err.message;
        if (err.status !== 401 && err.status !== 403 && err.status !== 404) {
          jobTimer = window.setTimeout(function () { pollJob(url, lastDone); }, 3000);
        }
      });
    }

    if (draftAllForm) {
      draftAllForm.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var button = draftAllForm.querySelector("button");
        button.disabled = true;
        api("POST", draftAllForm.dataset.draftAll, {}).then(function (job) {
          announce("Utkast skapas nu för alla aktiviteter.");
          showJob(job);
          if (jobBox && jobBox.scrollIntoView) jobBox.scrollIntoView({ block: "nearest" });
          pollJob("/api/jobs/" + encodeURIComponent(job.id), -1);
        }).catch(function (err) {
          var running = err.data && err.data.error && err.data.error.detail && err.data.error.detail.job_id;
          if (running) {
            pollJob("/api/jobs/" + encodeURIComponent(running), -1);
            return;
          }
          button.disabled = false;
          var p = el("p", { "class": "meddelande meddelande-fel", role: "alert" }, err.message);
          draftAllForm.appendChild(p);
        });
      });
    }
    if (jobBox && jobBox.dataset.jobUrl && (jobBox.dataset.state === "queued" || jobBox.dataset.state === "running")) {
      pollJob(jobBox.dataset.jobUrl, -1);
    }

    content.addEventListener("submit", function (ev) {
      var form = ev.target;
      if (form.matches("form[data-review]")) {
        ev.preventDefault();
        review(form);
      } else if (form.matches("form[data-draft]")) {
        ev.preventDefault();
        draft(form);
      }
    });

    /* "Avbryt" or Esc in an open "Redigera" closes it and returns to its button. */
    function closeEdit(details) {
      details.open = false;
      details.querySelector("summary").focus();
    }
    content.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      var details = ev.target.closest ? ev.target.closest("details.redigera[open]") : null;
      if (details) closeEdit(details);
    });
    content.addEventListener("click", function (ev) {
      var button = ev.target.closest ? ev.target.closest("[data-cancel-edit]") : null;
      if (button) closeEdit(button.closest("details.redigera"));
    });
  }

  /* ---- the chat ------------------------------------------------------------------------
   * POST /api/chat {conversation_id?, message, report_id, item_id?} with Accept: text/event-stream.
   * Events: meta, tool, hits, draft, suggestion, token, done {message} | error (service/chat).
   * "Lägg in som förslag" is a turn of the same conversation with the chosen activity open
   * (item_id) that asks to place the draft of the chosen section: the chat places it as a
   * PENDING suggestion with the user's own rights (the chat never writes anywhere else). */
  var SECTION_NAMES = { uppfoljning: "uppföljning", analys: "analys", risker: "risker", kostnader: "kostnader" };
  var TOOL_STATUS = {
    search: "Söker i dokumenten …", activity_history: "Letar fram aktivitetens historik …",
    draft_section: "Skriver utkast ur källorna …", revise_suggestion: "Bearbetar utkastet …",
    place_suggestion: "Lägger in förslaget …", read_report: "Läser rapporten …"
  };
  var PID = /\[\s*(p_[0-9A-Za-z]{4,64}(?:\s*[,;]\s*p_[0-9A-Za-z]{4,64})*)\s*\]/g;

  function initChat() {
    var panel = document.querySelector("aside.chatt");
    if (!panel) return;
    var form = panel.querySelector("form[data-chat]");
    var log = panel.querySelector(".chatt-logg");
    var template = document.getElementById("placera-mall");
    var busyText = form.querySelector(".upptagen-text");
    var reportId = parseInt(panel.dataset.reportId, 10);
    var mayPlace = panel.hasAttribute("data-may-place");
    var storeKey = "kvalitet-chatt-" + reportId;
    var conversationId = null;
    try { conversationId = window.sessionStorage.getItem(storeKey); } catch (e) { conversationId = null; }
    form.hidden = false;
    var textarea = form.elements.message;
    var itemSelect = form.elements.item_id;

    function remember(cid) {
      conversationId = cid || null;
      try {
        if (cid) window.sessionStorage.setItem(storeKey, cid); else window.sessionStorage.removeItem(storeKey);
      } catch (e) { /* storage off: the conversation lasts as long as the page */ }
    }

    /* Text with [p_…] markers: the markers become numbered links to the sources below. */
    function inline(container, text, numbers, anchor) {
      var pos = 0;
      text.replace(PID, function (match, ids, offset) {
        container.appendChild(document.createTextNode(text.slice(pos, offset)));
        container.appendChild(document.createTextNode("["));
        ids.split(/\s*[,;]\s*/).forEach(function (pid, i) {
          if (i) container.appendChild(document.createTextNode(", "));
          var n = numbers ? numbers[pid] : null;
          if (n) container.appendChild(el("a", { href: "#" + anchor + "-" + n, "class": "ref" }, String(n)));
          else container.appendChild(document.createTextNode(numbers ? "?" : "källa"));
        });
        container.appendChild(document.createTextNode("]"));
        pos = offset + match.length;
        return match;
      });
      container.appendChild(document.createTextNode(text.slice(pos)));
    }

    function renderText(container, text, numbers, anchor) {
      container.textContent = "";
      String(text || "").split(/\n\s*\n/).forEach(function (block) {
        if (!block.trim()) return;
        var lines = block.split("\n");
        if (lines.every(function (l) { return /^\s*[-•]\s+/.test(l) || !l.trim(); })) {
          var ul = el("ul");
          lines.forEach(function (l) {
            if (!l.trim()) return;
            var li = el("li");
            inline(li, l.replace(/^\s*[-•]\s+/, ""), numbers, anchor);
            ul.appendChild(li);
          });
          container.appendChild(ul);
          return;
        }
        var p = el("p");
        lines.forEach(function (line, i) {
          if (i) p.appendChild(el("br"));
          inline(p, line, numbers, anchor);
        });
        container.appendChild(p);
      });
    }

    var entryCount = 0;
    function addEntry(who, text) {
      entryCount += 1;
      var li = el("li", { "class": "chatt-inlagg" + (who === "du" ? " chatt-inlagg-du" : ""), id: "chatt-" + entryCount });
      li.appendChild(el("p", { "class": "chatt-vem" }, who === "du" ? "Du" : "Svar"));
      var body = el("div", { "class": "chatt-text" });
      renderText(body, text);
      li.appendChild(body);
      log.appendChild(li);
      panel.classList.add("har-samtal");
      log.scrollTop = log.scrollHeight;
      return li;
    }

    function passageHref(c) {
      var source = c.source || {};
      var params = new URLSearchParams({ path: source.path });
      if (c.passage_id) params.set("passage", c.passage_id);
      if (source.line_start) params.set("fran", source.line_start);
      if (source.line_end) params.set("till", source.line_end);
      return "/dokument/visa?" + params.toString();
    }

    function sourceLabel(source) {
      var lines = source.line_start ? (source.line_end && source.line_end !== source.line_start
        ? ", rad " + source.line_start + "–" + source.line_end : ", rad " + source.line_start) : "";
      return source.path + (source.page ? ", sidan " + source.page : "") + lines;
    }

    function renderAnswer(entry, message) {
      var citations = (message.citations || []).filter(function (c) { return c && c.source && c.source.path; });
      var numbers = {};
      citations.forEach(function (c, i) { numbers[c.passage_id] = i + 1; });
      var anchor = entry.id + "-kalla";
      renderText(entry.querySelector(".chatt-text"), message.text, numbers, anchor);
      if (message.needs_llm) {
        entry.appendChild(el("p", { "class": "chatt-not" }, "Det här kräver en språkmodell, och ingen är ansluten. Svaret säger vad som går att göra utan."));
      }
      if (message.note) entry.appendChild(el("p", { "class": "chatt-not" }, message.note));
      if (citations.length) {
        var wrap = el("div", { "class": "chatt-kallor-ram" });
        wrap.appendChild(el("p", { "class": "chatt-vem" }, "Källor"));
        var list = el("ol", { "class": "chatt-kallor" });
        citations.forEach(function (c, i) {
          var li = el("li", { id: anchor + "-" + (i + 1) });
          li.appendChild(el("a", { href: passageHref(c), "data-passage": "", "class": "kalla-lank" }, sourceLabel(c.source)));
          if (c.quote) li.appendChild(el("blockquote", { "class": "citat" }, c.quote));
          list.appendChild(li);
        });
        wrap.appendChild(list);
        entry.appendChild(wrap);
      }
      var placed = message.placed || [];
      if (placed.length) {
        var done = el("p", { "class": "chatt-not" }, placed.length === 1 ? "Inlagt som förslag som väntar på granskning: " : "Inlagda som förslag som väntar på granskning: ");
        placed.forEach(function (p, i) {
          if (i) done.appendChild(document.createTextNode(", "));
          done.appendChild(el("a", { href: "#forslag-" + p.id }, (SECTION_NAMES[p.kind] || p.kind) + " (förslag " + p.id + ")"));
        });
        entry.appendChild(done);
      }
      var kinds = [];
      (message.drafts || []).forEach(function (d) { if (d.kind && kinds.indexOf(d.kind) < 0) kinds.push(d.kind); });
      if (!placed.length && (kinds.length || message.mode === "llm")) placeForm(entry, kinds);
    }

    function placeForm(entry, kinds) {
      if (!mayPlace || !template) return;
      // Placing takes the conversation's latest draft of a section: offer it on the newest draft only.
      log.querySelectorAll(".chatt-atgarder, form.placera").forEach(function (old) { old.remove(); });
      var actions = el("div", { "class": "chatt-atgarder" });
      var button = el("button", { type: "button", "class": "knapp knapp-sekundar" }, "Lägg in som förslag");
      actions.appendChild(button);
      entry.appendChild(actions);
      button.addEventListener("click", function () {
        var node = template.content.firstElementChild.cloneNode(true);
        var kindSelect = node.querySelector("select[name=kind]");
        if (kindSelect && kinds.length) {
          Array.prototype.slice.call(kindSelect.options).forEach(function (o) {
            if (kinds.indexOf(o.value) < 0) o.remove();
          });
        }
        var item = node.querySelector("select[name=item_id]");
        if (item && itemSelect && itemSelect.value) item.value = itemSelect.value;
        actions.hidden = true;
        entry.appendChild(node);
        var first = node.querySelector("select, button");
        if (first) first.focus();
        function close() {
          node.remove();
          actions.hidden = false;
          button.focus();
        }
        var cancel = node.querySelector("[data-cancel]");
        if (cancel) cancel.addEventListener("click", close);
        node.addEventListener("keydown", function (ev) {
          if (ev.key === "Escape") { ev.stopPropagation(); close(); }
        });
        node.addEventListener("submit", function (ev) {
          ev.preventDefault();
          var itemId = parseInt(node.elements.item_id.value, 10);
          var kind = node.elements.kind.value;
          node.remove();
          actions.remove();
          send("Lägg in utkastet till " + (SECTION_NAMES[kind] || kind) + " som förslag.", itemId);
        });
      });
    }

    function refreshReport(placed) {
      var content = document.getElementById("rapport-innehall");
      if (!content || !placed.length) return Promise.resolve();
      return fragment(window.location.pathname + "?del=innehall").then(function (html) {
        content.innerHTML = html;
        content.querySelectorAll("[data-cancel-edit]").forEach(function (b) { b.hidden = false; });
        announce(placed.length === 1 ? "Förslaget är inlagt och väntar på granskning." : placed.length + " förslag är inlagda och väntar på granskning.");
      });
    }

    /* Reads a server-sent-events stream: onEvent(name, data) for each event. */
    function readEvents(response, onEvent) {
      var reader = response.body.getReader();
      var decoder = new TextDecoder("utf-8");
      var buffer = "";
      function handleBlock(block) {
        var name = "message";
        var data = [];
        block.split(/\r?\n/).forEach(function (line) {
          if (!line || line.charAt(0) === ":") return; // a comment (keep-alive)
          var i = line.indexOf(":");
          var field = i < 0 ? line : line.slice(0, i);
          var value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
          if (field === "event") name = value;
          else if (field === "data") data.push(value);
        });
        if (!data.length) return;
        var parsed;
        try { parsed = JSON.parse(data.join("\n")); } catch (e) { parsed = { text: data.join("\n") }; }
        onEvent(name, parsed);
      }
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            buffer += decoder.decode();
            if (buffer.trim()) handleBlock(buffer);
            return;
          }
          buffer += decoder.decode(chunk.value, { stream: true });
          var parts = buffer.split(/\r?\n\r?\n/);
          buffer = parts.pop();
          parts.forEach(handleBlock);
          return pump();
        });
      }
      return pump();
    }

    function ask(message, itemId, entry, retried) {
      var payload = { message: message, report_id: reportId };
      if (itemId) payload.item_id = itemId;
      if (conversationId) payload.conversation_id = conversationId;
      var streamed = "";
      var final = null;
      var body = entry.querySelector(".chatt-text");

      function onEvent(name, data) {
        if (name === "meta") {
          if (data.conversation_id) remember(data.conversation_id);
        } else if (name === "tool") {
          if (busyText) busyText.textContent = TOOL_STATUS[data.name] || "Arbetar …";
        } else if (name === "token") {
          streamed += data.text || "";
          renderText(body, streamed);
        } else if (name === "done") {
          if (data.conversation_id) remember(data.conversation_id);
          final = data.message || { text: streamed };
        } else if (name === "error") {
          if (data.conversation_id) remember(data.conversation_id);
          throw new HttpError(errorText({ error: data }, data.status || 500), data.status || 500, data);
        }
      }

      return fetch("/api/chat", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify(payload)
      }).then(function (res) {
        if (!res.ok) {
          return res.json().catch(function () { return null; }).then(function (data) {
            throw new HttpError(errorText(data, res.status), res.status, data);
          });
        }
        if ((res.headers.get("content-type") || "").indexOf("text/event-stream") >= 0 && res.body) {
          return readEvents(res, onEvent);
        }
        return res.json().then(function (data) {
          remember(data.conversation_id);
          final = data.reply;
        });
      }, function () {
        throw new HttpError("Ingen kontakt med servern. Kontrollera nätverket och försök igen.", 0, null);
      }).then(function () {
        final = final || { text: streamed || "Inget svar kom. Försök att fråga på ett annat sätt." };
        renderAnswer(entry, final);
        log.scrollTop = entry.offsetTop - log.offsetTop;  // the start of the answer
        return refreshReport(final.placed || []);
      }).catch(function (err) {
        // A conversation kept from another sign-in on this browser: start a new one.
        if (!retried && payload.conversation_id && (err.status === 403 || err.status === 404)) {
          remember(null);
          return ask(message, itemId, entry, true);
        }
        throw err;
      });
    }

    var sending = false;
    function send(message, itemId) {
      if (sending) return;
      sending = true;
      addEntry("du", message);
      var entry = addEntry("svar", "…");
      entry.setAttribute("aria-busy", "true");
      var indicator = form.querySelector(".upptagen");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      indicator.hidden = false;
      if (busyText) busyText.textContent = "Svarar …";
      ask(message, itemId, entry, false).then(function () {
        announce("Svaret är klart.");
      }).catch(function (err) {
        var body = entry.querySelector(".chatt-text");
        body.textContent = "";
        body.appendChild(el("p", { "class": "meddelande meddelande-fel", role: "alert" }, err.message));
      }).then(function () {
        sending = false;
        entry.removeAttribute("aria-busy");
        button.disabled = false;
        indicator.hidden = true;
        var next = entry.querySelector(".chatt-atgarder button");
        focusElement(next || textarea);
      });
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var message = textarea.value.trim();
      if (!message) {
        textarea.focus();
        return;
      }
      textarea.value = "";
      send(message, itemSelect && itemSelect.value ? parseInt(itemSelect.value, 10) : null);
    });
    textarea.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });

    /* After a reload: show the conversation so far (the server keeps it). */
    if (conversationId) {
      fetch("/api/chat/" + encodeURIComponent(conversationId), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) {
          if (!res.ok) { remember(null); return null; }
          return res.json();
        }).then(function (conv) {
          if (!conv || !conv.messages) return;
          conv.messages.slice(-12).forEach(function (m) {
            if (m.role === "user") addEntry("du", m.text);
            else renderAnswer(addEntry("svar", ""), Object.assign({}, m, { placed: m.placed || [] }));
          });
        }).catch(function () { /* the panel still works for new questions */ });
    }
  }

  /* ---- uploads: the bytes' progress, then the job's ------------------------------------
   * The form is sent with XMLHttpRequest so that the upload's own progress shows; the server
   * stores the file and answers with the upload's result page (a redirect), which is opened.
   * There, the job is polled (GET /api/uploads/{id}) and the page shows its stage; when it
   * ends, the result (what was recognised, or why not) is put in place. No reload by hand. */
  function initUpload() {
    var form = document.querySelector("form[data-upload]");
    if (form && window.XMLHttpRequest && window.FormData) {
      form.addEventListener("submit", function (ev) {
        if (!form.elements.file || !form.elements.file.files.length) return; // the browser says what is missing
        ev.preventDefault();
        var indicator = form.querySelector(".upptagen");
        var busyText = form.querySelector(".upptagen-text");
        var box = form.querySelector(".uppladdning-framsteg");
        var bar = box ? box.querySelector("progress") : null;
        if (indicator) indicator.hidden = false;
        if (box) box.hidden = false;
        form.setAttribute("aria-busy", "true");
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        announce("Laddar upp dokumentet.");
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("Accept", "text/html");
        xhr.upload.addEventListener("progress", function (e) {
          if (!e.lengthComputable || !bar) return;
          var pct = Math.round(100 * e.loaded / e.total);
          bar.value = pct;
          bar.textContent = pct + " %";
          if (busyText) busyText.textContent = pct < 100 ? "Laddar upp … " + pct + " %" : "Filen är uppladdad, inläsningen startar …";
        });
        xhr.addEventListener("load", function () {
          var url = xhr.responseURL || "";
          if (xhr.status < 400 && url.indexOf("/dokument/inlasning/") >= 0) {
            window.location.assign(url);
            return;
          }
          // An error page from our own server (escaped): show its main content in place.
          var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var main = doc.querySelector("main");
          var here = document.querySelector("main");
          if (main && here) {
            here.innerHTML = main.innerHTML;
            initUpload();
            focusOnLoad();
          } else {
            window.location.reload();
          }
        });
        xhr.addEventListener("error", function () {
          form.removeAttribute("aria-busy");
          form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
          if (indicator) indicator.hidden = true;
          var p = el("p", { "class": "meddelande meddelande-fel", role: "alert" }, "Ingen kontakt med servern. Kontrollera nätverket och försök igen.");
          form.appendChild(p);
        });
        xhr.send(new FormData(form));
      });
    }

    var job = document.getElementById("inlasning");
    if (!job || !job.dataset.uploadUrl) return;
    var timer = null;
    function poll() {
      api("GET", job.dataset.uploadUrl).then(function (view) {
        var text = job.querySelector(".jobb-text");
        var bar = job.querySelector("progress");
        if (view.state === "queued" || view.state === "running") {
          if (text) text.textContent = view.stage_label + " (steg " + view.step + " av " + view.steps + ").";
          if (bar) { bar.max = view.steps; bar.value = view.step; }
          timer = window.setTimeout(poll, 1000);
          return;
        }
        return fragment(window.location.pathname).then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#inlasning");
          if (fresh) {
            job.replaceWith(fresh);
            job = fresh;
          }
          focusOnLoad();
          announce(view.state === "done" ? "Dokumentet är inläst." : "Dokumentet kunde inte läsas in.");
        });
      }).catch(function (err) {
        var text = job.querySelector(".jobb-text");
        if (text) text.textContent = err.message;
        if (err.status !== 401 && err.status !== 403 && err.status !== 404) timer = window.setTimeout(poll, 3000);
      });
    }
    if (job.dataset.state === "queued" || job.dataset.state === "running") poll();
  }

  /* "Tillbaka" goes back in the browser's history when there is somewhere to go back to. */
  function initBack() {
    document.querySelectorAll("a[data-back]").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        if (window.history.length > 1) {
          ev.preventDefault();
          window.history.back();
        }
      });
    });
  }

  /* Signing out forgets this tab's chat conversations. */
  function initLogout() {
    document.querySelectorAll('form[action="/logga-ut"]').forEach(function (f) {
      f.addEventListener("submit", function () {
        try { window.sessionStorage.clear(); } catch (e) { /* nothing stored */ }
      });
    });
  }

  /* On a phone the filters fold away once there are results (they stay open while in use). */
  function initFilters() {
    var box = document.querySelector("details[data-close-on-phone]");
    if (box && window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) box.open = false;
  }

  function init() {
    focusOnLoad();
    initFilters();
    initLogout();
    initBack();
    initSourcePanel();
    initHistory();
    initReport();
    initChat();
    initUpload();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
