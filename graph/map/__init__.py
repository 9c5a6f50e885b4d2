"""The map of partners: where each partner is (`data`) and the country shapes it is drawn on (`shapes`).

No Flask here: the web app's `/map` and `/api/map` (webapp/views) call `load_map_data` once per
language and `build_map` per request.
"""

from graph.map.data import LANGS, MapData, MapFilter, MapNotFound, MapParameterError, build_map, load_map_data, map_queries
from graph.map.shapes import country_point, inside, load_country_shapes, numeric_codes, shapes_file

__all__ = [
    "LANGS",
    "MapData",
    "MapFilter",
    "MapNotFound",
    "MapParameterError",
    "build_map",
    "country_point",
    "inside",
    "load_country_shapes",
    "load_map_data",
    "map_queries",
    "numeric_codes",
    "shapes_file",
]
