// One request on a logical service with a client policy, from route to answer: the route's redirect
// or injected fault, its header modifier and deadline, then attempts — each picks a backend by weight,
// delegates its name through the dtab, balances over its endpoints — retried under the route's retry
// plan and the service's budget, all inside the route's timeout.
import type { Dtab } from '../../routing/dtab/index.js';
import { redirectLocation } from '../../routing/redirect.js';
import { pickBackend, type RequestHead } from '../../routing/route-match.js';
import type { RoutePlan } from '../../routing/route-plan.js';
import type { BalancedEndpoint } from '../balance/balancer.js';
import { InjectedFaultError, NoBackendError, RequestTimeoutError } from '../errors.js';
import { ExponentialBackoff } from '../http/backoff.js';
import { editHeaders, withHeader } from '../http/header-edit.js';
import { ObservedSink, type ObserveContext } from '../http/observe.js';
import { ReplayableBody } from '../http/replayable-body.js';
import type { HeaderList, ProxyRequest, RequestTarget, ResponseSink } from '../http/types.js';
import type { RouteMetrics } from '../metrics/route-metrics.js';
import { AttemptSink, type AttemptOwner } from './attempt-sink.js';
import type { ConcreteTarget, TargetCache } from './concrete.js';
import { readDeadline, DEADLINE_HEADER } from './deadline.js';
import type { EndpointTarget } from './endpoint-target.js';
import type { Router } from './router.js';
import { RouteSink } from './route-sink.js';

export interface RoutingContext {
  readonly targets: TargetCache<ConcreteTarget>;
  readonly observe: ObserveContext;
  readonly queueTimeoutMs: number;
  readonly random: () => number;
}

const H2_CANCEL = 0x8;
const UNROUTED: RequestTarget = { addr: '', identity: '', labels: {} };
// Retries without a configured backoff still wait a little, jittered, so a failing backend is not hammered.
const DEFAULT_BACKOFF = new ExponentialBackoff({ minMs: 5, maxMs: 250, jitter: 1 });

export class RoutedRequest implements AttemptOwner {
  private readonly out: RouteSink;
  private readonly metrics: RouteMetrics;
  private headers: HeaderList;
  private body: ReplayableBody | null = null;
  private retries = 0;
  private current: AttemptSink | null = null;
  private committed = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private attemptTimer: NodeJS.Timeout | undefined;
  private timeoutMs = 0;

  constructor(
    private readonly ctx: RoutingContext,
    private readonly router: Router,
    private readonly plan: RoutePlan,
    private readonly req: ProxyRequest,
    sink: ResponseSink,
    /** The request's own dtab when it carries an override header; undefined otherwise. */
    private readonly dtab: Dtab | undefined,
    extraHeaders: HeaderList | null,
  ) {
    this.metrics = router.metricsFor(plan);
    this.out = new RouteSink(sink, plan, this.metrics, extraHeaders);
    this.headers = req.headers;
    sink.onAbort((code) => this.cancel(code));
  }

  start(): void {
    const { plan } = this;
    if (plan.redirect) {
      this.finished = true;
      this.out.start(plan.redirect.statusCode, ['location', redirectLocation(plan.redirect, this.req)], true);
      return;
    }
    const fault = plan.fault;
    if (fault?.abort && this.ctx.random() * 100 < fault.abort.percent) {
      this.fail(new InjectedFaultError(plan.name, fault.abort.status));
      return;
    }
    if (fault?.delay && this.ctx.random() * 100 < fault.delay.percent) {
      setTimeout(() => this.proceed(), fault.delay.ms);
      return;
    }
    this.proceed();
  }

  private proceed(): void {
    if (this.finished) return;
    const { plan } = this;
    if (plan.requestHeaders) this.headers = editHeaders(this.headers, plan.requestHeaders);
    const deadline = readDeadline(this.headers, plan.timeoutMs, Date.now());
    if (deadline.error) this.headers = withHeader(this.headers, 'loom-deadline-error', deadline.error);
    if (deadline.at !== undefined) {
      this.timeoutMs = deadline.timeoutMs;
      if (deadline.timeoutMs <= 0) {
        this.fail(new RequestTimeoutError(this.router.name, 0));
        return;
      }
      this.headers = withHeader(this.headers, DEADLINE_HEADER, String(deadline.at));
      this.timer = setTimeout(() => this.timedOut(), deadline.timeoutMs);
    }
    if (plan.retry) {
      this.router.budget.deposit();
      this.body = new ReplayableBody(this.req.body);
    }
    this.attempt();
  }

  private attempt(): void {
    if (this.finished) return;
    const backend = pickBackend({ backendRefs: this.plan.backends }, this.ctx.random);
    if (!backend) {
      this.fail(new NoBackendError(this.plan.name));
      return;
    }
    const bound = this.router.bind(backend.authority, this.dtab, this.ctx.random());
    if (!bound.ok) {
      this.fail(bound.error);
      return;
    }
    const target = this.ctx.targets.get(bound.authority);
    const attempt = new AttemptSink(this, this.metrics.actual, this.plan.isFailure);
    this.current = attempt;
    const picked = target.balancer.pick();
    if (picked) this.dispatch(attempt, picked);
    else {
      target.balancer.ready(this.ctx.queueTimeoutMs).then(
        (ready) => this.dispatch(attempt, ready),
        (err: Error) => new ObservedSink(attempt, this.req, target.unroutedHttp, null, this.ctx.observe, UNROUTED).error(err),
      );
    }
  }

  private dispatch(attempt: AttemptSink, picked: BalancedEndpoint<EndpointTarget>): void {
    const { service } = picked;
    if (attempt !== this.current || this.finished) {
      picked.health?.cancel();
      return;
    }
    const body = this.body === null ? this.req.body : this.retries === 0 ? this.body.first() : this.body.replay();
    const req: ProxyRequest = { ...this.req, headers: this.headers, body };
    if (this.plan.attemptTimeoutMs !== undefined) {
      clearTimeout(this.attemptTimer);
      this.attemptTimer = setTimeout(() => this.attemptTimedOut(attempt), this.plan.attemptTimeoutMs);
    }
    service.client.dispatch(req, new ObservedSink(attempt, req, service.http, picked, this.ctx.observe, service.target));
  }

  retryAfter(status: number, grpcStatus: number | undefined): boolean {
    const retry = this.plan.retry;
    if (!retry || this.finished || !retry.retryOn(status, grpcStatus)) return false;
    if (this.retries >= retry.maxRetries) return this.skip('limit_reached');
    // Only a body held whole can be sent again; one still arriving (an early answer) is not retried.
    if (this.body === null || !this.body.replayable) return this.skip('not_replayable');
    if (!this.router.budget.tryWithdraw()) return this.skip('budget_exhausted');
    this.metrics.retry('retried');
    this.retries += 1;
    clearTimeout(this.attemptTimer);
    const delay = retry.backoffMs > 0 ? new ExponentialBackoff({ minMs: retry.backoffMs, maxMs: retry.backoffMs * 10, jitter: 1 }).delayMs(this.retries - 1) : DEFAULT_BACKOFF.delayMs(this.retries - 1);
    setTimeout(() => this.attempt(), delay);
    return true;
  }

  private skip(outcome: 'limit_reached' | 'not_replayable' | 'budget_exhausted'): false {
    this.metrics.retry(outcome);
    return false;
  }

  commit(attempt: AttemptSink): ResponseSink | null {
    if (attempt !== this.current || this.finished || this.committed) return null;
    this.committed = true;
    clearTimeout(this.attemptTimer);
    return this.out;
  }

  settled(attempt: AttemptSink): void {
    if (attempt === this.current && this.committed) this.finish();
  }

  private timedOut(): void {
    if (this.finished) return;
    this.current?.cancel(H2_CANCEL);
    this.fail(new RequestTimeoutError(this.router.name, this.timeoutMs));
  }

  /** A per-attempt timeout answers like the backend did with 504: retried if the route retries 504s. */
  private attemptTimedOut(attempt: AttemptSink): void {
    if (attempt !== this.current || this.committed || this.finished) return;
    attempt.cancel(H2_CANCEL);
    if (!this.retryAfter(504, undefined)) this.fail(new RequestTimeoutError(this.router.name, this.plan.attemptTimeoutMs ?? 0));
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.finish();
    this.out.error(err);
  }

  private cancel(code: number): void {
    if (this.finished) return;
    this.current?.cancel(code);
    this.finish();
  }

  private finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
    clearTimeout(this.attemptTimer);
  }
}

/** The route-match view of a request; headers folded into a record only when a route reads them. */
export function requestHead(req: ProxyRequest): RequestHead {
  return new ProxyRequestHead(req);
}

class ProxyRequestHead implements RequestHead {
  private record: Record<string, string | string[]> | undefined;
  constructor(private readonly req: ProxyRequest) {}

  get method(): string {
    return this.req.method;
  }

  get path(): string {
    return this.req.path;
  }

  get authority(): string {
    return this.req.authority;
  }

  get headers(): Record<string, string | string[]> {
    this.record ??= headerRecord(this.req.headers);
    return this.record;
  }
}

function headerRecord(headers: HeaderList): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    const had = out[name];
    out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return out;
}
