// Applies a route's header modifier (Gateway API's set, add, remove) to a header list: a new list,
// the original untouched, since a retried request is sent again from the original.
import type { HeaderEdit } from '../../routing/route-plan.js';
import type { HeaderList } from './types.js';

export function editHeaders(headers: HeaderList, edit: HeaderEdit): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (edit.remove.includes(name) || edit.set.some(([n]) => n === name)) continue;
    out.push(name, headers[i + 1] as string);
  }
  for (const [name, value] of edit.set) out.push(name, value);
  for (const [name, value] of edit.add) out.push(name, value);
  return out;
}

/** Replaces (or adds) one header. */
export function withHeader(headers: HeaderList, name: string, value: string): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i < headers.length; i += 2) if (headers[i] !== name) out.push(headers[i] as string, headers[i + 1] as string);
  out.push(name, value);
  return out;
}
