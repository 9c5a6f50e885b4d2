/*
 * The "Cite" button (webapp/views/cite.py): pins what is on screen to the release being served and
 * shows the permanent link with a reference to copy. One container per page, `.cite-box`:
 *   data-cite-kind  sparql (the query that ran: the address bar's ?query=, else the form's text),
 *                   network (the view's filters: the address bar's query string), resource (data-cite-iri)
 *   data-cite-url   where to POST (same origin: the server refuses other sites)
 * No framework; plain DOM and fetch. Everything shown is set as text, never as HTML.
 */
(function () {
  "use strict";
  function currentQuery() {
    if (typeof window.uaeuCurrentQuery === "function") return window.uaeuCurrentQuery();
    var fromUrl = new URLSearchParams(window.location.search).get("query");
    if (fromUrl) return fromUrl;
    var box = document.getElementById("query");
    return box ? box.value : "";
  }
  function payload(box) {
    var kind = box.getAttribute("data-cite-kind");
    if (kind === "sparql") return { kind: kind, query: currentQuery() };
    if (kind === "network") return { kind: kind, parameters: window.location.search.replace(/^\?/, "") };
    return { kind: "resource", iri: box.getAttribute("data-cite-iri") };
  }
  function setup(box) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cite-button";
    button.textContent = box.getAttribute("data-label") || "Cite";
    var result = document.createElement("p");
    result.className = "cite-result";
    result.setAttribute("role", "status");
    box.appendChild(button);
    box.appendChild(result);
    button.addEventListener("click", function () {
      button.disabled = true;
      result.textContent = box.getAttribute("data-busy") || "…";
      fetch(box.getAttribute("data-cite-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(payload(box)),
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.error || response.statusText);
            return body;
          });
        })
        .then(function (body) {
          result.textContent = "";
          var link = document.createElement("a");
          link.className = "cite-link";
          link.href = body.url;
          link.textContent = body.url;
          var reference = document.createElement("span");
          reference.className = "cite-reference";
          reference.textContent = " " + body.reference;
          result.appendChild(link);
          result.appendChild(reference);
        })
        .catch(function (error) {
          result.textContent = String(error.message || error);
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  }
  document.querySelectorAll(".cite-box").forEach(setup);
})();
