// tap in the browser: GET /api/tap streams one JSON line per request event for as long as it is
// read. fetch reads it as it arrives (the API's 4xx answers stay readable, which EventSource hides).
import type { TapLine } from './types.js';

export interface TapFilter {
  namespace: string;
  /** workload/<name>, pod/<name> or namespace/<name>. */
  resource: string;
  method?: string;
  path?: string;
}

export async function followTap(filter: TapFilter, onLine: (line: TapLine) => void, signal: AbortSignal): Promise<void> {
  const [kind = 'workload', name = ''] = filter.resource.split('/', 2);
  const params = new URLSearchParams({ namespace: filter.namespace, kind, name });
  if (filter.method) params.set('method', filter.method);
  if (filter.path) params.set('path', filter.path);
  const res = await fetch(`/api/tap?${params.toString()}`, { signal });
  if (!res.ok || res.body === null) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `the control plane answered ${res.status}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (text.trim() !== '') {
        const parsed = JSON.parse(text) as TapLine | { type: 'error'; message: string };
        if (parsed.type !== 'error') onLine(parsed);
      }
      newline = buffered.indexOf('\n');
    }
  }
}
