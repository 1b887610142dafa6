// gRPC clients to other services, always through the sidecar's outbound listener: the channel
// connects to $LOOM_OUTBOUND and carries the service name as :authority.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Loads a .proto (a path relative to `base`, usually import.meta.url) at run time. */
export function loadProto(relative: string, base: string): grpc.GrpcObject {
  const definition = protoLoader.loadSync(fileURLToPath(new URL(relative, base)), {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
  });
  return grpc.loadPackageDefinition(definition);
}

/** The service constructor at a dotted path in a loaded package (`emojivoto.v1.EmojiService`). */
export function serviceAt(pkg: grpc.GrpcObject, path: string): grpc.ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'function' || !('service' in node)) throw new Error(`no gRPC service ${path} in the loaded .proto`);
  return node as grpc.ServiceClientConstructor;
}

/** A client for `service` (e.g. `emoji.emojivoto.svc:8080`) through the proxy at `outbound`, plaintext. */
export function meshGrpcClient(ctor: grpc.ServiceClientConstructor, outbound: string, service: string): grpc.Client {
  return new ctor(outbound, grpc.credentials.createInsecure(), { 'grpc.default_authority': service });
}

type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<unknown>) => void;

export interface CallOptions {
  /** Context headers to send as metadata (see contextHeaders in mesh-http.ts). */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One unary call with a deadline; rejects with the grpc-js ServiceError (which has `code` and `details`). */
export function unary<Res>(client: grpc.Client, method: string, request: unknown, { headers = {}, timeoutMs = 5000 }: CallOptions = {}): Promise<Res> {
  const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
  if (typeof fn !== 'function') return Promise.reject(new Error(`the client has no method ${method}`));
  const metadata = new grpc.Metadata();
  for (const [name, value] of Object.entries(headers)) metadata.set(name, value);
  return new Promise((resolve, reject) => {
    fn.call(client, request, metadata, { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err) reject(err);
      else resolve(res as Res);
    });
  });
}

export function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number';
}
