// The identity issuer: a CA certificate and key, checked once at load, that signs short-lived leaf
// certificates for workload identities.
import { pemBlocks } from '../../identity/pem.js';
import { EC_P256, x509 } from '../../identity/x509.js';
import { checkCsr } from './csr-check.js';
import { importSigningKey, randomSerial } from './keys.js';
import { authorityKeyId } from './trust-roots.js';

/** Which input is wrong, so a caller can name the file it came from. */
export type IssuerInput = 'trust anchors' | 'issuer certificate' | 'issuer key';

export class IssuerConfigError extends Error {
  readonly code = 'LOOM_ERR_ISSUER_CONFIG';
  constructor(readonly input: IssuerInput, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'IssuerConfigError';
  }
}

export interface IssuerMaterial {
  /** One or more PEM CA certificates. */
  anchorsPem: string;
  /** The issuer first, then any intermediates up to (not including) an anchor. */
  issuerCertPem: string;
  issuerKeyPem: string;
  trustDomain: string;
  now?: Date;
}

export interface IssuedCertificate {
  leafDer: Uint8Array;
  /** Issuer first, without the trust anchor. */
  chainDer: Uint8Array[];
  validUntil: Date;
}

/** Tolerates clocks up to this far behind the controller's. */
const CLOCK_SKEW_MS = 10_000;

function parseCerts(pem: string, input: IssuerInput): x509.X509Certificate[] {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) throw new IssuerConfigError(input, 'no PEM "CERTIFICATE" block found');
  return blocks.map((block, i) => {
    let cert: x509.X509Certificate;
    try {
      cert = new x509.X509Certificate(block);
    } catch (err) {
      throw new IssuerConfigError(input, `certificate ${i + 1} cannot be parsed as X.509`, { cause: err });
    }
    if (!cert.getExtension(x509.BasicConstraintsExtension)?.ca) throw new IssuerConfigError(input, `${cert.subject} is not a CA certificate (basicConstraints CA:TRUE is missing)`);
    return cert;
  });
}

async function signedBy(cert: x509.X509Certificate, ca: x509.X509Certificate): Promise<boolean> {
  return cert.verify({ publicKey: ca.publicKey, signatureOnly: true }).catch(() => false);
}

export class CertificateIssuer {
  private constructor(
    readonly anchorsPem: string,
    readonly issuerCertPem: string,
    readonly trustDomain: string,
    private readonly issuer: x509.X509Certificate,
    private readonly chain: Uint8Array[],
    private readonly key: CryptoKey,
    private readonly authorityKeyId: x509.AuthorityKeyIdentifierExtension,
  ) {}

  get issuerNotAfter(): Date {
    return this.issuer.notAfter;
  }

  /** Checks that the issuer is a valid CA whose key matches and which chains to an anchor. */
  static async load({ anchorsPem, issuerCertPem, issuerKeyPem, trustDomain, now = new Date() }: IssuerMaterial): Promise<CertificateIssuer> {
    const anchors = parseCerts(anchorsPem, 'trust anchors');
    const chain = parseCerts(issuerCertPem, 'issuer certificate');
    const issuer = chain[0] as x509.X509Certificate;
    if (now < issuer.notBefore) throw new IssuerConfigError('issuer certificate', `${issuer.subject} is not valid until ${issuer.notBefore.toISOString()}; check this machine's clock`);
    if (now > issuer.notAfter) throw new IssuerConfigError('issuer certificate', `${issuer.subject} expired at ${issuer.notAfter.toISOString()}; issue a new one from the trust anchor`);
    let signing: Awaited<ReturnType<typeof importSigningKey>>;
    try {
      signing = await importSigningKey(issuerKeyPem);
    } catch (err) {
      throw new IssuerConfigError('issuer key', (err as Error).message, { cause: err });
    }
    if (!signing.spkiDer.equals(Buffer.from(issuer.publicKey.rawData))) {
      throw new IssuerConfigError('issuer key', `the key does not belong to the issuer certificate ${issuer.subject}; give the key generated with that certificate`);
    }
    for (let i = 0; i + 1 < chain.length; i++) {
      const [child, parent] = [chain[i] as x509.X509Certificate, chain[i + 1] as x509.X509Certificate];
      if (!(await signedBy(child, parent))) throw new IssuerConfigError('issuer certificate', `${child.subject} is not signed by the next certificate in the file, ${parent.subject}; list the issuer first, then its issuers in order`);
    }
    const top = chain[chain.length - 1] as x509.X509Certificate;
    if (!(await anyAsync(anchors, (a) => signedBy(top, a)))) {
      throw new IssuerConfigError(
        'issuer certificate',
        `${top.subject} (issued by ${top.issuer}) is not signed by any trust anchor (${anchors.map((a) => a.subject).join('; ')}); give the anchors that issued it, or an issuer certificate issued by these anchors`,
      );
    }
    const chainDer = chain.map((c) => new Uint8Array(c.rawData));
    return new CertificateIssuer(anchorsPem, issuerCertPem, trustDomain, issuer, chainDer, signing.key, await authorityKeyId(issuer));
  }

  /** Signs a leaf for `identity` after checkCsr (throws CsrRejectedError); never outlives the issuer. */
  async issue({ csrDer, identity, spiffe, lifetimeMs, now = new Date() }: { csrDer: Uint8Array; identity: string; spiffe: string; lifetimeMs: number; now?: Date }): Promise<IssuedCertificate> {
    const publicKey = await checkCsr(csrDer, identity, spiffe);
    const wanted = new Date(now.getTime() + lifetimeMs);
    const notAfter = wanted < this.issuer.notAfter ? wanted : this.issuer.notAfter;
    if (notAfter <= now) throw new Error(`the issuer certificate ${this.issuer.subject} expired at ${this.issuer.notAfter.toISOString()}; give the controller a new one`);
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: [{ CN: [identity] }],
      issuer: this.issuer.subjectName,
      notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
      notAfter,
      signingAlgorithm: EC_P256,
      publicKey,
      signingKey: this.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: identity }, { type: 'url', value: spiffe }]),
        this.authorityKeyId,
      ],
    });
    return { leafDer: new Uint8Array(leaf.rawData), chainDer: this.chain, validUntil: leaf.notAfter };
  }
}

async function anyAsync<T>(items: readonly T[], test: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (await test(item)) return true;
  return false;
}
