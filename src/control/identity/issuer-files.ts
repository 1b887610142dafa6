// Reads the identity issuer's and token reviewer's material from files, for `loom controller` and
// `loom up`; every error names the file and what is wrong with it.
import { readFileSync } from 'node:fs';
import { CertificateIssuer, IssuerConfigError, type IssuerInput } from './issuer.js';
import { LocalTokenReviewer } from './local-token.js';

export interface IssuerFiles {
  anchorsFile: string;
  issuerCertFile: string;
  issuerKeyFile: string;
}

export class IdentityFileError extends Error {
  readonly code = 'LOOM_ERR_IDENTITY_FILE';
  constructor(readonly file: string, what: string, problem: string, options?: ErrorOptions) {
    super(`${file} (${what}): ${problem}`, options);
    this.name = 'IdentityFileError';
  }
}

export function readIdentityFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new IdentityFileError(file, what, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}

export async function loadIssuerFiles(files: IssuerFiles, trustDomain: string, now = new Date()): Promise<CertificateIssuer> {
  const byInput: Record<IssuerInput, string> = { 'trust anchors': files.anchorsFile, 'issuer certificate': files.issuerCertFile, 'issuer key': files.issuerKeyFile };
  const material = {
    anchorsPem: readIdentityFile(files.anchorsFile, 'trust anchors'),
    issuerCertPem: readIdentityFile(files.issuerCertFile, 'issuer certificate'),
    issuerKeyPem: readIdentityFile(files.issuerKeyFile, 'issuer key'),
  };
  try {
    return await CertificateIssuer.load({ ...material, trustDomain, now });
  } catch (err) {
    if (err instanceof IssuerConfigError) throw new IdentityFileError(byInput[err.input], err.input, err.message, { cause: err });
    throw err;
  }
}

export function loadTokenReviewerFile(file: string, trustDomain: string): LocalTokenReviewer {
  const pem = readIdentityFile(file, 'token verification key');
  try {
    return new LocalTokenReviewer(pem, trustDomain);
  } catch (err) {
    throw new IdentityFileError(file, 'token verification key', (err as Error).message, { cause: err });
  }
}
