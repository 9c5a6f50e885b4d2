/*
 * The query editor on /sparql: YASGUI (vendored from npm at set-up) talking only to this server.
 *
 * Why the settings below: YASGUI's defaults reach out to other hosts (prefix.cc, LOV autocompletion,
 * public endpoints in the endpoint list). The page must work offline and leak nothing, so the
 * autocompleters are limited to prefixes (ours, from a data: URL) and variables, the endpoint list
 * holds only our endpoint, and nothing is persisted between visits (a permalink is the URL).
 * Without JavaScript, or without the vendored files, the plain form and gallery links still work.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var root = document.getElementById("yasgui");
  if (!window.Yasgui || !root) {
    return;
  }

  var endpoint = new URL(config.endpointPath, window.location.href).href;
  var ourPrefixes = "data:application/json," + encodeURIComponent(JSON.stringify(config.prefixes));
  var byName = {};
  config.gallery.forEach(function (item) {
    byName[item.name] = item;
  });

  // Must be set before the first editor exists: the per-instance config alone does not stop the fetches.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = ourPrefixes;

  var yasgui = new Yasgui(root, {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    corsProxy: undefined,
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
    tabName: "Query",
    yasqe: {
      autocompleters: ["prefixes", "variables"],
      prefixCcApi: ourPrefixes,
      persistenceId: null,
      editorHeight: "320px",
    },
    yasr: {
      prefixes: config.prefixes,
      persistenceId: null,
      defaultPlugin: "table",
      getDownloadFileName: function () {
        return "results";
      },
    },
  });

  var tab = yasgui.getTab();
  var permalink = document.getElementById("permalink");
  var csvLink = document.getElementById("csv-link");
  var networkBox = document.getElementById("network-link-box");
  var networkLink = document.getElementById("network-link");

  // A SELECT whose answer has ?source and ?target can be opened as a network (/network?query=...),
  // analysed and exported like the built-in partner networks.
  function offerNetwork() {
    var yasr = tab.getYasr();
    var variables = yasr && yasr.results && yasr.results.getVariables ? yasr.results.getVariables() : [];
    var fits = variables.indexOf("source") >= 0 && variables.indexOf("target") >= 0;
    networkBox.hidden = !fits;
    if (fits) {
      networkLink.href = config.networkPath + "?query=" + encodeURIComponent(tab.getQuery());
    }
  }

  function showLinks(query) {
    var encoded = encodeURIComponent(query);
    permalink.href = config.endpointPath + "?query=" + encoded;
    csvLink.href = config.endpointPath + "?format=csv&query=" + encoded;
  }

  function run(query) {
    tab.setQuery(query);
    showLinks(query);
    return tab.query().catch(function () {
      /* YASR shows the endpoint's error message */
    });
  }

  yasgui.on("queryResponse", function () {
    window.setTimeout(offerNetwork, 0);
  });
  tab.getYasr().on("drawn", offerNetwork);

  // Every run makes the address bar the permalink of the query that ran.
  yasgui.on("query", function (instance, queried) {
    var query = queried.getQuery();
    showLinks(query);
    window.history.replaceState(null, "", config.endpointPath + "?query=" + encodeURIComponent(query));
  });

  document.getElementById("query-form").hidden = true;
  root.hidden = false;
  document.getElementById("editor-links").hidden = false;
  document.documentElement.classList.add("editor-ready");

  document.querySelectorAll(".gallery a[data-name]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var item = byName[link.getAttribute("data-name")];
      if (!item || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return; // a new tab or window gets the plain link
      }
      event.preventDefault();
      root.scrollIntoView({ behavior: "smooth", block: "start" });
      run(item.query);
    });
  });

  // Our IRIs in the results open on this server (which answers /id/... with 303 to its page), as
  // everywhere else on the site; other IRIs are left alone.
  var base = typeof config.prefixes.id === "string" ? config.prefixes.id.replace(/id\/$/, "") : null;
  function localise(event) {
    var link = event.target.closest && event.target.closest("a.iri");
    var href = link && link.getAttribute("href");
    if (base && href && href.indexOf(base) === 0) {
      link.setAttribute("href", "/" + href.slice(base.length));
    }
  }
  root.addEventListener("mousedown", localise, true);
  root.addEventListener("focusin", localise, true);

  if (typeof config.query === "string" && config.query.trim() !== "") {
    run(config.query);
  } else {
    tab.setQuery(config.defaultQuery);
    showLinks(config.defaultQuery);
  }
})();
