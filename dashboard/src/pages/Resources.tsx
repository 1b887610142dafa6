// What steers traffic: the dtabs in force (namerd's API, versioned) and the delegation explorer — type
// a service name or URL and see the route it takes, each backend's share, how the dtab delegates it
// and the endpoints behind it, exactly as `loom diagnose` prints it.
import { useEffect, useState, type FormEvent } from 'react';
import type { Diagnosis } from '../api/types.js';
import { formatDiagnosis } from '../../../src/routing/diagnose-format.js';

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

export function Resources() {
  const [dtabs, setDtabs] = useState<DtabView[] | undefined>();
  const [dtabError, setDtabError] = useState<string | undefined>();
  const [diagnosis, setDiagnosis] = useState<{ text: string; outcomes: Diagnosis['outcomes'] } | undefined>();
  const [diagnoseError, setDiagnoseError] = useState<string | undefined>();
  const reload = (): void => {
    loadDtabs().then(setDtabs, (err: Error) => setDtabError(err.message));
  };
  useEffect(reload, []);
  const explore = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const params = new URLSearchParams({ name: String(form.get('name') ?? '') });
    const method = String(form.get('method') ?? '');
    if (method) params.set('method', method);
    const override = String(form.get('dtab') ?? '');
    if (override) params.set('dtab', override);
    setDiagnoseError(undefined);
    fetch(`/api/diagnose?${params.toString()}`)
      .then(async (res) => {
        const body = (await res.json()) as Diagnosis & { error?: string };
        if (!res.ok) throw new Error(body.error ?? `the control plane answered ${res.status}`);
        setDiagnosis({ text: formatDiagnosis(body), outcomes: body.outcomes });
      })
      .catch((err: Error) => {
        setDiagnosis(undefined);
        setDiagnoseError(err.message);
      });
  };
  return (
    <>
      <h1>Routes and dtabs</h1>
      <section className="card">
        <h2>Delegation explorer</h2>
        <form className="toolbar" onSubmit={explore} data-testid="explorer">
          <label>
            Name or URL <input name="name" required placeholder="http://world.hello.svc/ or world.hello.svc:80" size={36} />
          </label>
          <label>
            Method <input name="method" placeholder="GET" size={6} />
          </label>
          <label>
            Override <input name="dtab" placeholder="/svc/hello/80/world => /svc/hello/80/world-v2" size={40} />
          </label>
          <button type="submit">Explain</button>
        </form>
        {diagnoseError ? <div className="banner warn">{diagnoseError}</div> : null}
        {diagnosis ? (
          <>
            <div className="outcomes">
              {diagnosis.outcomes.map((o, i) => (
                <div key={i} className={`outcome ${o.error ? 'bad' : 'good'}`}>
                  <strong>{o.percent}%</strong> {o.authority ?? o.error}
                </div>
              ))}
            </div>
            <pre className="diagnosis" data-testid="diagnosis">
              {diagnosis.text}
            </pre>
          </>
        ) : null}
      </section>
      <section className="card">
        <div className="title-row">
          <h2>Dtabs</h2>
          <button type="button" onClick={reload}>
            Reload
          </button>
        </div>
        {dtabError ? <div className="banner warn">{dtabError}</div> : null}
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
    </>
  );
}
