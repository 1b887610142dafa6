// A live answer from the control plane: the API path asked as a server-sent event stream, updated
// each time the controller scrapes. EventSource reconnects by itself when the controller restarts;
// meanwhile the last answer stays on screen and the page says the control plane is unreachable.
import { useEffect, useState } from 'react';

export interface Live<T> {
  data: T | undefined;
  /** The API's own error (a `problem` event), e.g. an unknown workload. */
  problem: string | undefined;
  /** False while the stream is down. */
  connected: boolean;
  /** When the last answer arrived. */
  at: number | undefined;
}

export function useLive<T>(path: string | null, onUpdate?: (data: T) => void): Live<T> {
  const [state, setState] = useState<Live<T>>({ data: undefined, problem: undefined, connected: true, at: undefined });
  useEffect(() => {
    setState({ data: undefined, problem: undefined, connected: true, at: undefined });
    if (path === null) return;
    const source = new EventSource(path);
    source.addEventListener('update', (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as T;
      onUpdate?.(data);
      setState({ data, problem: undefined, connected: true, at: Date.now() });
    });
    source.addEventListener('problem', (e) => {
      const body = JSON.parse((e as MessageEvent<string>).data) as { error?: string };
      setState((s) => ({ ...s, problem: body.error ?? 'the control plane could not answer', connected: true }));
    });
    source.addEventListener('error', () => setState((s) => ({ ...s, connected: false })));
    return () => source.close();
    // onUpdate is a callback the caller may re-create each render; the stream follows the path only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path]);
  return state;
}

/** A query string from the defined entries. */
export function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}
