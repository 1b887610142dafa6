import { Link } from '../components/Link.js';

export function NotFound({ what }: { what: string }) {
  return (
    <section className="card not-found" data-testid="not-found">
      <h1>Not found</h1>
      <p>
        There is no {what} in this mesh. It may have been removed, or the link may be mistyped; <code>loom get workloads</code> lists what runs.
      </p>
      <p>
        <Link to="/">Back to the overview</Link>
      </p>
    </section>
  );
}
