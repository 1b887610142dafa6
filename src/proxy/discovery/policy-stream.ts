// One GetProfile stream: the client policy of a logical name, shared by every listener of that name.
// A policy that does not validate is reported and the last good one stays in force.
import type { Client } from '@connectrpc/connect';
import type { Destination } from '../../api/gen/loom/destination/v1/destination_pb.js';
import { parseClientPolicy, type ClientPolicy } from '../../routing/client-policy.js';
import { followStream, type ReconnectOptions } from './reconnect.js';
import type { PolicyListener } from './types.js';

export interface PolicyStreamOptions extends ReconnectOptions {
  contextToken: string;
  dtabNamespace: string;
  /** Problems with what the control plane sent: the policy, or resources in it, that were dropped. */
  onProblem?: (name: string, problem: string) => void;
}

export class PolicyStream {
  private policy: ClientPolicy | undefined;
  private received = false;
  private readonly listeners = new Set<PolicyListener>();
  private readonly abort = new AbortController();

  constructor(
    private readonly name: string,
    private readonly client: Client<typeof Destination>,
    private readonly opts: PolicyStreamOptions,
  ) {}

  addListener(listener: PolicyListener): void {
    this.listeners.add(listener);
    if (this.received) listener(this.policy);
  }

  removeListener(listener: PolicyListener): number {
    this.listeners.delete(listener);
    return this.listeners.size;
  }

  stop(): void {
    this.abort.abort();
  }

  run(): Promise<void> {
    const { contextToken, dtabNamespace } = this.opts;
    return followStream(
      (signal) => this.client.getProfile({ path: this.name, contextToken, dtabNamespace }, { signal }),
      (profile) => this.apply(profile.clientPolicyJson),
      this.abort.signal,
      this.opts,
    );
  }

  private apply(json: string): void {
    let next: ClientPolicy | undefined;
    if (json !== '') {
      const parsed = parseClientPolicy(json);
      if (!parsed.ok) {
        this.opts.onProblem?.(this.name, parsed.problem);
        return;
      }
      for (const problem of parsed.problems) this.opts.onProblem?.(this.name, problem);
      next = parsed.policy;
    }
    this.policy = next;
    this.received = true;
    for (const l of this.listeners) l(next);
  }
}
