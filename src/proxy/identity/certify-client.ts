// Calls the control plane's Identity API: one Certify per (re)issuance, with a deadline. The gRPC
// client is loaded on first use, so a proxy without an identity never pays for it in memory.
import type { Client } from '@connectrpc/connect';
import type { Identity } from '../../api/gen/loom/identity/v1/identity_pb.js';

/** The leaf's validity is read from the certificate itself. */
export interface IssuedCertificate {
  leafDer: Uint8Array;
  chainDer: Uint8Array[];
}

export class CertifyClient {
  private client: Promise<Client<typeof Identity>> | null = null;

  constructor(private readonly addr: string) {}

  async certify(identity: string, token: Uint8Array, csrDer: Uint8Array, timeoutMs: number): Promise<IssuedCertificate> {
    const client = await (this.client ??= this.connect());
    const res = await client.certify({ identity, token, certificateSigningRequest: csrDer }, { timeoutMs });
    return { leafDer: res.leafCertificate, chainDer: res.intermediateCertificates };
  }

  private async connect(): Promise<Client<typeof Identity>> {
    const [{ createClient }, { createGrpcTransport }, { Identity }] = await Promise.all([
      import('@connectrpc/connect'),
      import('@connectrpc/connect-node'),
      import('../../api/gen/loom/identity/v1/identity_pb.js'),
    ]);
    return createClient(Identity, createGrpcTransport({ baseUrl: `http://${this.addr}` }));
  }
}
