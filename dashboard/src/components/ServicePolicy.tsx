// One service's client policy in force: each route rule with its matches, its backends' configured
// shares beside the shares they really get (so a canary can be watched), and its settings; then the
// ServiceProfile's routes and retry budget.
import type { ServicePolicy as Service } from '../api/types.js';
import { observedShares, summarizeProfile, summarizeRoutes, type BackendShare } from '../lib/policy-summary.js';

export function ServicePolicy({ service, rpsByService, onExplain }: { service: Service; rpsByService: ReadonlyMap<string, number>; onExplain: (name: string) => void }) {
  const rules = summarizeRoutes(service.name, service.httpRoutes, service.grpcRoutes);
  const profile = service.profile && summarizeProfile(service.profile);
  return (
    <section className="card" data-testid={`policy-${service.name}`} id={`policy-${service.name}`}>
      <div className="title-row">
        <h2>
          <span className="name">{service.name}</span>
        </h2>
        <button type="button" onClick={() => onExplain(service.name)}>
          Explain a request
        </button>
      </div>
      {rules.length > 0 ? (
        <table className="table rules">
          <thead>
            <tr>
              <th className="plain">Route</th>
              <th className="plain">Matches</th>
              <th className="plain">Backends: configured / observed (1m)</th>
              <th className="plain">Settings</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((rule, i) => (
              <tr key={i}>
                <td>
                  {rule.route} <span className="muted">{rule.kind}</span>
                </td>
                <td>
                  {rule.matches.map((m) => (
                    <code key={m} className="match">
                      {m}
                    </code>
                  ))}
                </td>
                <td>
                  <Shares backends={rule.backends} observed={observedShares(rule.backends, rpsByService)} />
                </td>
                <td className="muted">{rule.settings.join(' · ') || '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {profile ? (
        <>
          <h3>
            ServiceProfile <span className="muted">retry budget: {profile.retryBudget}</span>
          </h3>
          <table className="table">
            <thead>
              <tr>
                <th className="plain">Route</th>
                <th className="plain">Condition</th>
                <th className="plain">Retryable</th>
                <th className="plain">Timeout</th>
              </tr>
            </thead>
            <tbody>
              {profile.routes.map((r) => (
                <tr key={r.name}>
                  <td>{r.name}</td>
                  <td>
                    <code className="match">{r.condition}</code>
                  </td>
                  <td>{r.retryable ? 'yes' : 'no'}</td>
                  <td>{r.timeout ?? '-'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rules.length > 0 ? <p className="muted">The HTTPRoutes decide where requests go; the profile still gives the retry budget.</p> : null}
        </>
      ) : null}
    </section>
  );
}

function Shares({ backends, observed }: { backends: readonly BackendShare[]; observed: readonly (number | undefined)[] }) {
  return (
    <div className="shares">
      {backends.map((b, i) => {
        const seen = observed[i];
        return (
          <div key={b.service} className="share" data-backend={b.name} data-configured={b.percent.toFixed(1)} data-observed={seen === undefined ? '' : seen.toFixed(1)}>
            <span className="share-name">{b.name}</span>
            <span className="share-bar" title={`configured ${b.percent.toFixed(1)}%`}>
              <span className="configured" style={{ width: `${b.percent}%` }} />
              {seen === undefined ? null : <span className="observed" style={{ width: `${seen}%` }} />}
            </span>
            <span className="share-numbers">
              {b.percent.toFixed(0)}% / {seen === undefined ? '-' : `${seen.toFixed(0)}%`}
            </span>
          </div>
        );
      })}
    </div>
  );
}
