// The HPACK static table (RFC 7541 Appendix A): index 1 is the first entry. Dynamic entries are
// numbered from 62 on.

export const STATIC_TABLE: ReadonlyArray<readonly [name: string, value: string]> = [
  [':authority', ''], // 1
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'], // 5
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'], // 10
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''], // 15
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''], // 20
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''], // 25
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''], // 30
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''], // 35
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''], // 40
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''], // 45
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''], // 50
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''], // 55
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''], // 60
  ['www-authenticate', ''],
];

export const STATIC_TABLE_LENGTH = 61;

/** How the encoder can refer to a name: its first static index, and exact (name, value) entries. */
export interface StaticName {
  readonly index: number;
  /** Values with an entry of their own; only entries 2-14 and 16 carry one. */
  readonly values: ReadonlyMap<string, number> | null;
}

export const STATIC_NAMES: ReadonlyMap<string, StaticName> = buildNameLookup();

function buildNameLookup(): Map<string, StaticName> {
  const byName = new Map<string, { index: number; values: Map<string, number> | null }>();
  STATIC_TABLE.forEach(([name, value], i) => {
    const index = i + 1;
    let entry = byName.get(name);
    if (!entry) {
      entry = { index, values: null };
      byName.set(name, entry);
    }
    if (value !== '') (entry.values ??= new Map()).set(value, index);
  });
  return byName;
}
