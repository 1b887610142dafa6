// The dashboard's shell: a header with the main pages, and the page the URL names. The graph page
// (cytoscape is most of the bundle) loads only when it is first shown.
import { lazy, Suspense } from 'react';
import { Link } from './components/Link.js';
import { Live } from './pages/Live.js';
import { Namespace } from './pages/Namespace.js';
import { NotFound } from './pages/NotFound.js';
import { Overview } from './pages/Overview.js';
import { Pod } from './pages/Pod.js';
import { Resources } from './pages/Resources.js';
import { Workload } from './pages/Workload.js';
import { routeOf, useLocation, type Route } from './router.js';

const Graph = lazy(async () => ({ default: (await import('./pages/Graph.js')).Graph }));

export function App() {
  const route = routeOf(useLocation());
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          <span className="logo" /> Loom
        </Link>
        <nav>
          <Link to="/" className={route.page === 'overview' || route.page === 'namespace' || route.page === 'workload' || route.page === 'pod' ? 'active' : ''}>
            Overview
          </Link>
          <Link to="/graph" className={route.page === 'graph' ? 'active' : ''}>
            Service graph
          </Link>
          <Link to="/traffic" className={route.page === 'live' ? 'active' : ''}>
            Live traffic
          </Link>
          <Link to="/resources" className={route.page === 'resources' ? 'active' : ''}>
            Routes &amp; dtabs
          </Link>
        </nav>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <Overview />;
    case 'namespace':
      return <Namespace key={route.namespace} namespace={route.namespace} />;
    case 'workload':
      return <Workload key={`${route.namespace}/${route.name}`} namespace={route.namespace} name={route.name} />;
    case 'pod':
      return <Pod key={`${route.namespace}/${route.name}`} namespace={route.namespace} name={route.name} />;
    case 'graph':
      return (
        <Suspense fallback={<p className="muted">Loading the graph…</p>}>
          <Graph namespace={route.namespace} />
        </Suspense>
      );
    case 'live':
      return <Live namespace={route.namespace} resource={route.resource} />;
    case 'resources':
      return <Resources key={route.namespace ?? ''} namespace={route.namespace} />;
    case 'not-found':
      return <NotFound what={`page ${route.path}`} />;
  }
}
