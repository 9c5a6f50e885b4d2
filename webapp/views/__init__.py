"""The app's doors, one blueprint per concern:

- `home`: the front page, /healthz, /version;
- `sparql`: the SPARQL 1.1 Protocol endpoint, its editor and Service Description;
- `linkeddata`: /id/ (303) and the documents about things: /doc/, /vocab/, /ontology;
- `indexes`: /partnerships, /organisations, /places, /events and label search;
- `dumps`: the release's files (/dumps/) and its VoID + DCAT description;
- `network`: the partner network (/network, /api/network/...);
- `map`: partner places on a map (/map, /api/map);
- `changes`: what changed in a release (/releases/{id}/changes, its patch) and an entity's history (/api/history);
- `cite`: permanent, citable links to answers (POST /cite, /p/{id}).

Each is thin: the library (graph) computes, webapp.plumbing negotiates and answers errors, and
webapp.resources says what the app serves.
"""

from __future__ import annotations

from flask import Blueprint

from webapp.views.changes import changes
from webapp.views.cite import cite
from webapp.views.dumps import dumps
from webapp.views.home import home
from webapp.views.indexes import indexes
from webapp.views.linkeddata import linkeddata
from webapp.views.map import map_view
from webapp.views.network import network
from webapp.views.sparql import sparql

BLUEPRINTS: tuple[Blueprint, ...] = (home, sparql, linkeddata, indexes, dumps, network, map_view, changes, cite)
