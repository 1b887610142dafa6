// A tap event as the proxy builds it: plain data in the shape of loom.tap.v1.TapEvent, so the hub
// needs no protobuf and the server converts it in one call.
import type { TapDirection } from './tap-match.js';

export interface TapPeer {
  readonly address: string;
  /** '' when the hop was not mTLS. */
  readonly identity: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type TapEventBody =
  | { case: 'requestInit'; value: { method: string; scheme: string; authority: string; path: string } }
  | { case: 'responseInit'; value: { httpStatus: number; sinceRequestInitMs: number } }
  | {
      case: 'responseEnd';
      value: { httpStatus: number; sinceRequestInitMs: number; responseBytes: number; grpcStatus?: number; error: string };
    };

export interface TapEventRecord {
  id: number;
  direction: TapDirection;
  source: TapPeer;
  destination: TapPeer;
  tls: boolean;
  timestampMs: number;
  event: TapEventBody;
}
