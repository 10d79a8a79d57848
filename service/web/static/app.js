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

    function refresh(focusSelector, message) {
      var url = window.location.pathname + "?del=innehall";
      return fragment(url).then(function (html) {
        content.innerHTML = html;
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

    function review(form) {
      var card = form.closest("[data-suggestion-id]");
      var id = card.dataset.suggestionId;
      var action = form.dataset.review;
      var version = parseInt(form.elements.version.value, 10);
      var status = card.querySelector(".forslag-status");
      var forms = card.querySelectorAll("form");
      forms.forEach(function (f) { setBusy(f, true); });
      status.className = "forslag-status";
      status.textContent = "Sparar …";
      var call;
      if (action === "accept") call = api("POST", "/api/suggestions/" + id + "/accept", { version: version });
      else if (action === "reject") call = api("POST", "/api/suggestions/" + id + "/reject", { version: version });
      else call = api("PATCH", "/api/suggestions/" + id, { text: form.elements.text.value, version: version });
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
        return refresh("#aktivitet-" + itemId + "-rubrik", message);
      }).catch(function (err) {
        setBusy(form, false);
        var p = el("p", { "class": "meddelande meddelande-fel utkast-fel", role: "alert" }, err.message);
        form.appendChild(p);
      });
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

    /* Esc in an open "Redigera" closes it and returns to its button. */
    content.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      var details = ev.target.closest ? ev.target.closest("details.redigera[open]") : null;
      if (!details) return;
      details.open = false;
      details.querySelector("summary").focus();
    });
  }

  /* ---- the chat ------------------------------------------------------------------------ */
  function initChat() {
    var panel = document.querySelector("aside.chatt");
    if (!panel) return;
    var form = panel.querySelector("form[data-chat]");
    var log = panel.querySelector(".chatt-logg");
    var template = document.getElementById("placera-mall");
    var reportId = parseInt(panel.dataset.reportId, 10);
    var mayPlace = panel.hasAttribute("data-may-place");
    var storeKey = "kvalitet-chatt-" + reportId;
    var conversationId = null;
    try { conversationId = window.sessionStorage.getItem(storeKey); } catch (e) { conversationId = null; }
    form.hidden = false;
    var textarea = form.elements.message;

    function paragraphs(container, text) {
      container.textContent = "";
      String(text || "").split(/\n\s*\n/).forEach(function (part) {
        if (!part.trim()) return;
        var p = el("p");
        part.split("\n").forEach(function (line, i) {
          if (i) p.appendChild(el("br"));
          p.appendChild(document.createTextNode(line));
        });
        container.appendChild(p);
      });
    }

    function addEntry(who, text) {
      var li = el("li", { "class": "chatt-inlagg" + (who === "du" ? " chatt-inlagg-du" : "") });
      li.appendChild(el("p", { "class": "chatt-vem" }, who === "du" ? "Du" : "Svar"));
      var body = el("div", { "class": "chatt-text" });
      paragraphs(body, text);
      li.appendChild(body);
      log.appendChild(li);
      return li;
    }

    function citationsOf(obj) {
      if (!obj) return [];
      return obj.citations || obj.sources || obj.passages || [];
    }

    function renderCitations(entry, citations) {
      var old = entry.querySelector(".chatt-kallor-ram");
      if (old) old.remove();
      if (!citations || !citations.length) return;
      var wrap = el("div", { "class": "chatt-kallor-ram" });
      wrap.appendChild(el("p", { "class": "chatt-vem" }, "Källor"));
      var list = el("ol", { "class": "chatt-kallor" });
      citations.forEach(function (c) {
        var source = c.source || c;
        if (!source || !source.path) return;
        var li = el("li");
        var params = new URLSearchParams({ path: source.path });
        var pid = c.passage_id || c.id;
        if (pid) params.set("passage", pid);
        if (source.line_start) params.set("fran", source.line_start);
        if (source.line_end) params.set("till", source.line_end);
        var label = source.path + (source.page ? ", sidan " + source.page : "") +
          (source.line_start ? ", rad " + source.line_start + (source.line_end && source.line_end !== source.line_start ? "–" + source.line_end : "") : "");
        var a = el("a", { href: "/dokument/visa?" + params.toString(), "data-passage": "", "class": "kalla-lank" }, label);
        li.appendChild(a);
        var quote = c.quote || c.snippet_text || null;
        if (quote) li.appendChild(el("blockquote", { "class": "citat" }, quote));
        list.appendChild(li);
      });
      wrap.appendChild(list);
      entry.appendChild(wrap);
    }

    function renderNote(entry, note) {
      if (!note) return;
      var p = entry.querySelector(".chatt-not") || el("p", { "class": "chatt-not" });
      p.textContent = note;
      entry.appendChild(p);
    }

    function placeForm(entry, reply) {
      if (!mayPlace || !template || !reply.messageId || !conversationId) return;
      var actions = el("div", { "class": "chatt-atgarder" });
      var button = el("button", { type: "button", "class": "knapp knapp-sekundar" }, "Lägg in som förslag");
      actions.appendChild(button);
      entry.appendChild(actions);
      button.addEventListener("click", function () {
        var formNode = template.content.firstElementChild.cloneNode(true);
        actions.hidden = true;
        entry.appendChild(formNode);
        var first = formNode.querySelector("select, button");
        if (first) first.focus();
        var cancel = formNode.querySelector("[data-cancel]");
        function close() {
          formNode.remove();
          actions.hidden = false;
          button.focus();
        }
        if (cancel) cancel.addEventListener("click", close);
        formNode.addEventListener("keydown", function (ev) { if (ev.key === "Escape") close(); });
        formNode.addEventListener("submit", function (ev) {
          ev.preventDefault();
          var itemId = parseInt(formNode.elements.item_id.value, 10);
          var kind = formNode.elements.kind.value;
          formNode.querySelectorAll("button, select").forEach(function (b) { b.disabled = true; });
          placeReply(reply, itemId, kind).then(function (out) {
            formNode.remove();
            actions.textContent = "";
            actions.hidden = false;
            var ok = el("p", { "class": "chatt-not", role: "status" },
              "Svaret ligger nu som förslag och väntar på granskning.");
            actions.appendChild(ok);
            var content = document.getElementById("rapport-innehall");
            if (content) {
              return fragment(window.location.pathname + "?del=innehall").then(function (html) {
                content.innerHTML = html;
                var sid = out && (out.suggestion_id || (out.suggestion && out.suggestion.id) || out.id);
                var link = el("a", { href: sid ? "#forslag-" + sid : "#aktivitet-" + itemId }, "Gå till förslaget");
                ok.appendChild(document.createTextNode(" "));
                ok.appendChild(link);
                announce("Svaret är inlagt som förslag.");
              });
            }
          }).catch(function (err) {
            formNode.querySelectorAll("button, select").forEach(function (b) { b.disabled = false; });
            var p = formNode.querySelector(".meddelande") || el("p", { "class": "meddelande meddelande-fel", role: "alert" });
            p.textContent = err.message;
            formNode.appendChild(p);
          });
        });
      });
    }

    function placeReply(reply, itemId, kind) {
      return api("POST", "/api/chat/" + encodeURIComponent(conversationId) + "/messages/" +
        encodeURIComponent(reply.messageId) + "/place", { report_id: reportId, item_id: itemId, kind: kind });
    }

    /* Reads a server-sent-events stream: calls onEvent(name, data) for each event. */
    function readEvents(response, onEvent) {
      var reader = response.body.getReader();
      var decoder = new TextDecoder("utf-8");
      var buffer = "";
      function handleBlock(block) {
        var name = "message";
        var data = [];
        block.split(/\r?\n/).forEach(function (line) {
          if (!line || line.charAt(0) === ":") return;
          var i = line.indexOf(":");
          var field = i < 0 ? line : line.slice(0, i);
          var value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
          if (field === "event") name = value;
          else if (field === "data") data.push(value);
        });
        if (!data.length) return;
        var raw = data.join("\n");
        var parsed;
        try { parsed = JSON.parse(raw); } catch (e) { parsed = { text: raw }; }
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

    function ask(message, entry) {
      var reply = { text: "", citations: [], messageId: null, note: null };
      var body = entry.querySelector(".chatt-text");
      var payload = { message: message, report_id: reportId };
      if (conversationId) payload.conversation_id = conversationId;

      function remember(data) {
        if (!data || typeof data !== "object") return;
        var cid = data.conversation_id || (data.conversation && data.conversation.id);
        if (cid) {
          conversationId = cid;
          try { window.sessionStorage.setItem(storeKey, cid); } catch (e) { /* private mode */ }
        }
        var m = data.message && typeof data.message === "object" ? data.message : data;
        if (m.message_id || (m.id && m !== data) || (m.id && data.role === "assistant")) reply.messageId = m.message_id || m.id;
        if (data.message_id) reply.messageId = data.message_id;
        var text = m.content || m.text || m.answer;
        if (typeof text === "string" && (data.event === undefined || text.length >= reply.text.length)) reply.text = text;
        var cites = citationsOf(m);
        if (cites.length) reply.citations = cites;
        if (m.needs_llm || data.needs_llm) {
          reply.note = typeof (m.needs_llm || data.needs_llm) === "string" ? (m.needs_llm || data.needs_llm) :
            "Det här behöver en språkmodell, och ingen är ansluten. Svaret visar det som finns i dokumenten.";
        }
        if (m.note) reply.note = m.note;
      }

      function onEvent(name, data) {
        if (name === "error") {
          throw new HttpError(errorText({ error: data }, 500), 500, data);
        }
        if (name === "token" || name === "delta" || name === "chunk") {
          if (data.conversation_id) remember({ conversation_id: data.conversation_id });
          reply.text += data.text || data.delta || data.content || "";
          paragraphs(body, reply.text);
          return;
        }
        if (name === "citations" || name === "sources") {
          reply.citations = citationsOf(data).length ? citationsOf(data) : (Array.isArray(data) ? data : []);
          renderCitations(entry, reply.citations);
          return;
        }
        if (name === "citation") {
          reply.citations.push(data);
          renderCitations(entry, reply.citations);
          return;
        }
        remember(data);
        paragraphs(body, reply.text);
        renderCitations(entry, reply.citations);
      }

      return fetch("/api/chat", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify(payload)
      }).then(function (res) {
        if (!res.ok) {
          return res.json().catch(function () { return null; }).then(function (data) {
            if (res.status === 404 && !(data && data.error)) {
              throw new HttpError("Chatten är inte i gång på den här servern än.", 404, data);
            }
            throw new HttpError(errorText(data, res.status), res.status, data);
          });
        }
        var type = res.headers.get("content-type") || "";
        if (type.indexOf("text/event-stream") >= 0 && res.body) {
          return readEvents(res, onEvent);
        }
        return res.json().then(function (data) { remember(data); });
      }, function () {
        throw new HttpError("Ingen kontakt med servern. Kontrollera nätverket och försök igen.", 0, null);
      }).then(function () {
        if (!reply.text) reply.text = "Inget svar kom. Försök att fråga på ett annat sätt.";
        paragraphs(body, reply.text);
        renderCitations(entry, reply.citations);
        renderNote(entry, reply.note);
        placeForm(entry, reply);
        return reply;
      });
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var message = textarea.value.trim();
      if (!message) {
        textarea.focus();
        return;
      }
      addEntry("du", message);
      var entry = addEntry("svar", "…");
      entry.setAttribute("aria-busy", "true");
      var indicator = form.querySelector(".upptagen");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      indicator.hidden = false;
      textarea.value = "";
      ask(message, entry).then(function () {
        announce("Svaret är klart.");
      }).catch(function (err) {
        var body = entry.querySelector(".chatt-text");
        body.textContent = "";
        body.appendChild(el("p", { "class": "meddelande meddelande-fel", role: "alert" }, err.message));
      }).then(function () {
        entry.removeAttribute("aria-busy");
        button.disabled = false;
        indicator.hidden = true;
        textarea.focus();
      });
    });
  }

  /* ---- uploads: show that work is going on ---------------------------------------------- */
  function initUpload() {
    var form = document.querySelector("form[data-upload]");
    if (!form) return;
    form.addEventListener("submit", function () {
      var indicator = form.querySelector(".upptagen");
      if (indicator) indicator.hidden = false;
      form.setAttribute("aria-busy", "true");
      window.setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }, 0);
      announce("Laddar upp och läser in dokumentet.");
    });
  }

  function init() {
    focusOnLoad();
    initSourcePanel();
    initHistory();
    initReport();
    initChat();
    initUpload();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
