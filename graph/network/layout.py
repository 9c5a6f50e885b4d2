"""Node positions for drawing a network, computed on the server so every visitor sees the same picture.

Why our own spring layout: networkx's spring_layout and kamada_kawai_layout need NumPy/SciPy, which
this project does not install for a few hundred nodes. This is Fruchterman-Reingold with a fixed
seed (the same network always gets the same picture), a weak pull to the centre (so small components
stay in view) and a grid that limits repulsion to nearby nodes (so the cost grows with the nodes,
not their square, on bigger networks such as a query's).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

import networkx as nx

LAYOUT_SEED = 42
#: Positions are scaled into a square of this half-width (screen-like units; the page fits the view).
EXTENT = 1000.0


def spring_positions(graph: nx.Graph[str], seed: int = LAYOUT_SEED, iterations: int = 80) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions in [-EXTENT, EXTENT]², the same for the same graph and seed.

    Edge weights pull harder (normalised by the largest weight, so a weighting does not blow the
    picture apart); nodes are visited in sorted order so that set order cannot change the result.
    """
    nodes = sorted(graph.nodes, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(nodes)}
    rng = random.Random(seed)  # noqa: S311 - a fixed seed for a repeatable picture, not secrecy
    xs = [rng.uniform(-1.0, 1.0) for _ in nodes]
    ys = [rng.uniform(-1.0, 1.0) for _ in nodes]
    heaviest = max((float(d.get("weight", 1.0) or 1.0) for _, _, d in graph.edges(data=True)), default=1.0) or 1.0
    edges = sorted(
        ((index[u], index[v], max(float(d.get("weight", 1.0) or 1.0), 0.0) / heaviest) for u, v, d in graph.edges(data=True) if u != v),
        key=lambda e: (e[0], e[1]),
    )
    k = 2.0 / math.sqrt(n)  # ideal distance in the [-1, 1]² square
    k2 = k * k
    cell = 2.0 * k  # repulsion beyond two ideal distances is ignored (grid variant of FR)
    gravity = 0.05
    temperature = 0.2
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * n
        dy = [0.0] * n
        grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in range(n):
            grid[(math.floor(xs[i] / cell), math.floor(ys[i] / cell))].append(i)
        for (cx, cy), members in grid.items():
            near = [j for ox in (-1, 0, 1) for oy in (-1, 0, 1) for j in grid.get((cx + ox, cy + oy), ())]
            for i in members:
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for j in near:
                    if j == i:
                        continue
                    ddx, ddy = xi - xs[j], yi - ys[j]
                    dist2 = ddx * ddx + ddy * ddy
                    if dist2 < 1e-12:
                        ddx, ddy, dist2 = (1e-3 if i < j else -1e-3), 0.0, 1e-6
                    if dist2 < cell * cell:
                        force = k2 / dist2
                        fx += ddx * force
                        fy += ddy * force
                dx[i] += fx
                dy[i] += fy
        for i, j, w in edges:
            ddx, ddy = xs[i] - xs[j], ys[i] - ys[j]
            dist = math.sqrt(ddx * ddx + ddy * ddy) or 1e-6
            force = dist * (0.3 + 0.7 * w) / k
            dx[i] -= ddx * force
            dy[i] -= ddy * force
            dx[j] += ddx * force
            dy[j] += ddy * force
        for i in range(n):
            fx, fy = dx[i] - gravity * xs[i] * n * k, dy[i] - gravity * ys[i] * n * k
            length = math.sqrt(fx * fx + fy * fy)
            if length > 0:
                step = min(length, temperature) / length
                xs[i] += fx * step
                ys[i] += fy * step
        temperature -= cooling
    mid_x, mid_y = sum(xs) / n, sum(ys) / n
    scale = max(max(abs(x - mid_x) for x in xs), max(abs(y - mid_y) for y in ys)) or 1.0
    return {node: (round((xs[i] - mid_x) / scale * EXTENT, 2), round((ys[i] - mid_y) / scale * EXTENT, 2)) for node, i in index.items()}
