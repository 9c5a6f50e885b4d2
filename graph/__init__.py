"""Urban Agenda for the EU knowledge graph: curated data -> RDF -> validated, versioned dumps.

This package never imports Flask: it is the library under the web app and the CLI.
"""

__version__ = "0.1.0"
