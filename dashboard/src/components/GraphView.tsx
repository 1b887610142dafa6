// The application map: cytoscape lays workloads out by who calls whom (callers above callees) and
// keeps positions while live updates change labels and colours. Clicking a workload drills into it.
import { useEffect, useRef } from 'react';
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import type { Element } from '../lib/graph-elements.js';

const COLORS = { good: '#12b76a', warn: '#f79009', bad: '#f04438', idle: '#98a2b3' } as const;

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node',
    style: {
      shape: 'round-rectangle',
      'background-color': '#ffffff',
      'border-width': 3,
      'border-color': (n: cytoscape.NodeSingular) => COLORS[n.data('health') as keyof typeof COLORS],
      label: 'data(label)',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 13,
      'min-zoomed-font-size': 7,
      'font-weight': 600,
      color: '#1d2939',
      width: (n: cytoscape.NodeSingular) => Math.max(90, 8 * String(n.data('label')).length + 24),
      height: (n: cytoscape.NodeSingular) => 34 + 14 * Number(n.data('weight')),
    },
  },
  {
    selector: 'edge',
    style: {
      'curve-style': 'bezier',
      width: 2,
      'line-color': (e: cytoscape.EdgeSingular) => COLORS[e.data('health') as keyof typeof COLORS],
      'target-arrow-shape': 'triangle',
      'target-arrow-color': (e: cytoscape.EdgeSingular) => COLORS[e.data('health') as keyof typeof COLORS],
      'line-style': (e: cytoscape.EdgeSingular) => (e.data('secured') ? 'solid' : 'dashed'),
      label: 'data(label)',
      'font-size': 10,
      'min-zoomed-font-size': 7,
      color: '#475467',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '2px',
      'text-rotation': 'autorotate',
    },
  },
];

export function GraphView({ elements, onSelect }: { elements: readonly Element[]; onSelect: (namespace: string, name: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const shape = useRef('');
  useEffect(() => {
    if (!host.current) return;
    const core = cytoscape({ container: host.current, style: STYLE, wheelSensitivity: 0.3, minZoom: 0.1, maxZoom: 3 });
    core.on('tap', 'node', (e) => onSelect(String(e.target.data('namespace')), String(e.target.data('name'))));
    cy.current = core;
    return () => {
      core.destroy();
      cy.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    const core = cy.current;
    if (!core) return;
    const ids = elements.map((e) => e.data.id).sort().join('\n');
    const wanted = new Set(elements.map((e) => e.data.id));
    core.batch(() => {
      for (const el of core.elements()) if (!wanted.has(el.id())) el.remove();
      for (const e of elements) {
        const found = core.getElementById(e.data.id);
        if (found.nonempty()) found.data(e.data);
        else core.add(e as ElementDefinition);
      }
    });
    // Lay out again only when the set of nodes and edges changed, not on every new number.
    if (ids !== shape.current) {
      shape.current = ids;
      const began = performance.now();
      const roots = core.nodes().filter((n) => n.indegree(false) === 0);
      core.layout({ name: 'breadthfirst', directed: true, spacingFactor: 1.15, padding: 24, ...(roots.nonempty() ? { roots } : {}) }).run();
      core.fit(undefined, 24);
      // How long the layout took, for tests and for anyone wondering why a big mesh is slow to draw.
      if (host.current) host.current.dataset.layoutMs = (performance.now() - began).toFixed(0);
    }
  }, [elements]);
  // What is drawn, also as attributes: the canvas itself cannot be read by a test or a screen reader.
  const nodes = elements.filter((e) => e.group === 'nodes').map((e) => e.data.id);
  const edges = elements.filter((e) => e.group === 'edges').map((e) => e.data.id);
  const failing = elements.filter((e) => e.data.health === 'bad').map((e) => e.data.id);
  return <div ref={host} className="graph" data-testid="service-graph" data-nodes={nodes.join(' ')} data-edges={edges.join(' ')} data-failing={failing.join(' ')} aria-label={`service graph: ${nodes.length} workloads, ${edges.length} edges`} role="img" />;
}
