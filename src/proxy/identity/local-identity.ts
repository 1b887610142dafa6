// The proxy's own identity: a key made in memory at start, a certificate for it from the Identity
// API, and the one TLS context built from them. It renews at 70% of the certificate's lifetime and
// swaps the context; connections already open keep theirs, new ones get the new one.
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import tls, { type SecureContext, type SecureContextOptions } from 'node:tls';
import { derToPem, pemBlocks } from '../../identity/pem.js';
import type { Logger } from '../log.js';
import type { CounterChild, GaugeChild } from '../metrics/registry.js';
import { CertifyClient, type IssuedCertificate } from './certify-client.js';
import { createCsr } from './csr.js';
import { verifyIssued } from './verify-issued.js';

export interface IdentitySettings {
  /** The identity this proxy asks for and proves. */
  name: string;
  trustAnchorsPem: string;
  tokenFile: string;
  /** The Identity API, host:port. */
  svcAddr: string;
}

export interface IdentityMetrics {
  expirationSeconds: GaugeChild;
  refreshes: CounterChild;
}

/** What the proxy presents and trusts, built once per certificate. */
export interface Credentials {
  readonly context: SecureContext;
  /** What `context` was built from, for the inbound tls.Server's setSecureContext. */
  readonly options: SecureContextOptions;
  readonly leafPem: string;
  readonly chainPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const REFRESH_AT = 0.7;
const CERTIFY_TIMEOUT_MS = 10_000;
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 60_000;

export class LocalIdentity {
  credentials: Credentials | null = null;
  private keys: { privateKey: KeyObject; publicKey: KeyObject } | null = null;
  private keyPem = '';
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failures = 0;
  private readonly anchors: X509Certificate[];
  private readonly client: CertifyClient;
  private resolveReady: () => void = () => undefined;
  /** Settles when the first certificate is in place. */
  readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));

  constructor(
    readonly settings: IdentitySettings,
    private readonly metrics: IdentityMetrics,
    private readonly logger: Logger,
  ) {
    this.anchors = pemBlocks(settings.trustAnchorsPem).map((pem) => new X509Certificate(pem));
    this.client = new CertifyClient(settings.svcAddr);
  }

  get name(): string {
    return this.settings.name;
  }

  /** Makes the key and asks for the first certificate; retries with backoff until it has one. */
  async start(): Promise<void> {
    this.keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.keyPem = this.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await this.refresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async refresh(): Promise<void> {
    if (this.stopped || this.keys === null) return;
    try {
      const issued = await this.certify(this.keys);
      this.install(issued);
      this.failures = 0;
      const { notBefore, notAfter } = this.credentials as Credentials;
      const at = notBefore.getTime() + (notAfter.getTime() - notBefore.getTime()) * REFRESH_AT;
      this.schedule(Math.max(1000, at - Date.now()));
      this.logger.info({ identity: this.name, notAfter: notAfter.toISOString() }, 'identity: certificate issued');
    } catch (err) {
      const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.failures++) * (0.5 + Math.random() / 2);
      const level = this.credentials === null && this.failures <= 1 ? 'info' : 'warn';
      this.logger[level]({ identity: this.name, err: (err as Error).message, retryInMs: Math.round(delay) }, 'identity: certification failed');
      this.schedule(delay);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh(), delayMs);
    this.timer.unref();
  }

  private async certify(keys: { privateKey: KeyObject; publicKey: KeyObject }): Promise<IssuedCertificate> {
    let token: Buffer;
    try {
      token = await readFile(this.settings.tokenFile);
    } catch (err) {
      throw new Error(`cannot read the identity token file ${this.settings.tokenFile}: ${(err as Error).message}`, { cause: err });
    }
    const csr = createCsr(keys.privateKey, keys.publicKey, this.name);
    return this.client.certify(this.name, new Uint8Array(token), csr, CERTIFY_TIMEOUT_MS);
  }

  private install(issued: IssuedCertificate): void {
    const leafPem = derToPem(issued.leafDer);
    const chainPem = issued.chainDer.map((der) => derToPem(der)).join('');
    const leaf = verifyIssued(leafPem, chainPem, this.anchors, this.name);
    const options: SecureContextOptions = { key: this.keyPem, cert: leafPem + chainPem, ca: this.settings.trustAnchorsPem, minVersion: 'TLSv1.3' };
    const context = tls.createSecureContext(options);
    const first = this.credentials === null;
    this.credentials = { context, options, leafPem, chainPem, notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo) };
    this.metrics.expirationSeconds.set(Math.floor(new Date(leaf.validTo).getTime() / 1000));
    if (first) this.resolveReady();
    else this.metrics.refreshes.inc();
  }
}
