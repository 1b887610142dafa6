// Calls the control plane's Identity API: one Certify per (re)issuance, with a deadline.
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Identity } from '../../api/gen/loom/identity/v1/identity_pb.js';

export interface IssuedCertificate {
  leafDer: Uint8Array;
  chainDer: Uint8Array[];
  validUntil: Date;
}

export class CertifyClient {
  private readonly client: Client<typeof Identity>;

  constructor(addr: string) {
    this.client = createClient(Identity, createGrpcTransport({ baseUrl: `http://${addr}` }));
  }

  async certify(identity: string, token: Uint8Array, csrDer: Uint8Array, timeoutMs: number): Promise<IssuedCertificate> {
    const res = await this.client.certify({ identity, token, certificateSigningRequest: csrDer }, { timeoutMs });
    return {
      leafDer: res.leafCertificate,
      chainDer: res.intermediateCertificates,
      validUntil: new Date(Number(res.validUntilUnixMs)),
    };
  }
}
