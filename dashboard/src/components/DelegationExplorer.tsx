// The dtab delegation explorer: type a service name or URL (or pick a service's "Explain") and see the
// route it takes, each backend's share, how the dtab delegates it and the endpoints behind it, exactly
// as `loom diagnose` prints it.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Diagnosis } from '../api/types.js';
import { formatDiagnosis } from '../../../src/routing/diagnose-format.js';

export interface ExplainRequest {
  name: string;
  method?: string;
  override?: string;
}

async function explainOnce(request: ExplainRequest): Promise<{ text: string; outcomes: Diagnosis['outcomes'] }> {
  const params = new URLSearchParams({ name: request.name });
  if (request.method) params.set('method', request.method);
  if (request.override) params.set('dtab', request.override);
  const res = await fetch(`/api/diagnose?${params.toString()}`);
  const body = (await res.json()) as Diagnosis & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `the control plane answered ${res.status}`);
  return { text: formatDiagnosis(body), outcomes: body.outcomes };
}

/** `asked` (e.g. from a service's Explain button) fills the form and runs it. */
export function DelegationExplorer({ asked }: { asked: ExplainRequest | undefined }) {
  const [diagnosis, setDiagnosis] = useState<{ text: string; outcomes: Diagnosis['outcomes'] } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const form = useRef<HTMLFormElement>(null);
  const run = useCallback((request: ExplainRequest): void => {
    setError(undefined);
    explainOnce(request).then(setDiagnosis, (err: Error) => {
      setDiagnosis(undefined);
      setError(err.message);
    });
  }, []);
  useEffect(() => {
    if (!asked) return;
    const name = form.current?.elements.namedItem('name');
    if (name instanceof HTMLInputElement) name.value = asked.name;
    form.current?.scrollIntoView({ block: 'center' });
    run(asked);
  }, [asked, run]);
  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    run({ name: String(data.get('name') ?? ''), method: String(data.get('method') ?? ''), override: String(data.get('dtab') ?? '') });
  };
  return (
    <section className="card">
      <h2>Delegation explorer</h2>
      <form className="toolbar" onSubmit={submit} data-testid="explorer" ref={form}>
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
      {error ? <div className="banner warn">{error}</div> : null}
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
  );
}
