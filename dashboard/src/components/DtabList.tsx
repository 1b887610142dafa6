// The dtabs in force, one per dtab namespace, each with its version (namerd's API).
import { useEffect, useState } from 'react';

interface DtabView {
  namespace: string;
  version: string;
  text: string;
}

async function loadDtabs(): Promise<DtabView[]> {
  const res = await fetch('/api/1/dtabs');
  if (!res.ok) throw new Error(`the dtab API answered ${res.status}`);
  const namespaces = (await res.json()) as string[];
  return Promise.all(
    namespaces.map(async (namespace) => {
      const one = await fetch(`/api/1/dtabs/${encodeURIComponent(namespace)}`, { headers: { accept: 'application/dtab' } });
      return { namespace, version: (one.headers.get('etag') ?? '').replaceAll('"', ''), text: await one.text() };
    }),
  );
}

export function DtabList() {
  const [dtabs, setDtabs] = useState<DtabView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const reload = (): void => {
    loadDtabs().then(setDtabs, (err: Error) => setError(err.message));
  };
  useEffect(reload, []);
  return (
    <section className="card">
      <div className="title-row">
        <h2>Dtabs</h2>
        <button type="button" onClick={reload}>
          Reload
        </button>
      </div>
      {error ? <div className="banner warn">{error}</div> : null}
      {dtabs && dtabs.length === 0 ? <p className="empty">No dtabs: every name goes to the service it names. `loom dtab create default file.dtab` adds one.</p> : null}
      {(dtabs ?? []).map((d) => (
        <div key={d.namespace} className="dtab">
          <h3>
            {d.namespace} <span className="muted">version {d.version}</span>
          </h3>
          <pre>{d.text}</pre>
        </div>
      ))}
    </section>
  );
}
