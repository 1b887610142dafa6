// The control plane's own mTLS client certificate, for calling proxies' tap ports: issued by its own
// issuer to the controller's service account, and reissued once 70% of its life has passed.
import { webcrypto } from 'node:crypto';
import { CONTROLLER_SERVICE_ACCOUNT, identityName, spiffeId } from '../../identity/names.js';
import { derToPem } from '../../identity/pem.js';
import { EC_P256, generateKeyPair, x509 } from '../../identity/x509.js';
import type { CertificateIssuer } from '../identity/issuer.js';

const LIFETIME_MS = 24 * 3_600_000;
const RENEW_AT = 0.7;

export interface ClientCredentials {
  keyPem: string;
  /** The leaf, then its issuer chain. */
  certPem: string;
  anchorsPem: string;
}

export class ControllerCredentials {
  readonly name: string;
  private current: { credentials: ClientCredentials; renewAt: number } | null = null;
  private pending: Promise<ClientCredentials> | null = null;

  constructor(private readonly issuer: CertificateIssuer) {
    this.name = identityName(CONTROLLER_SERVICE_ACCOUNT, issuer.trustDomain);
  }

  get(now = Date.now()): Promise<ClientCredentials> {
    if (this.current && now < this.current.renewAt) return Promise.resolve(this.current.credentials);
    this.pending ??= this.issue(now).finally(() => (this.pending = null));
    return this.pending;
  }

  private async issue(now: number): Promise<ClientCredentials> {
    const keys = await generateKeyPair();
    const spiffe = spiffeId(CONTROLLER_SERVICE_ACCOUNT, this.issuer.trustDomain);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: [{ CN: [this.name] }],
      keys,
      signingAlgorithm: EC_P256,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: this.name }, { type: 'url', value: spiffe }])],
    });
    const issued = await this.issuer.issue({ csrDer: new Uint8Array(csr.rawData), identity: this.name, spiffe, lifetimeMs: LIFETIME_MS, now: new Date(now) });
    const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const credentials = {
      keyPem: derToPem(pkcs8, 'PRIVATE KEY'),
      certPem: [issued.leafDer, ...issued.chainDer].map((der) => derToPem(der)).join(''),
      anchorsPem: this.issuer.anchorsPem,
    };
    this.current = { credentials, renewAt: now + RENEW_AT * (issued.validUntil.getTime() - now) };
    return credentials;
  }
}
