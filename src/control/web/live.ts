// Live answers for the dashboard: a GET that asks for `text/event-stream` gets the same JSON answer as
// a plain GET, sent again as a server-sent event every `everyMs` (the scrape interval: nothing changes
// in between), until the browser goes away. An answer that is not 200 goes out as a `problem` event
// and the stream goes on, so a page says what is wrong and recovers when it is right again.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Answer {
  status: number;
  body: unknown;
}

export function wantsEventStream(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

export function streamAnswers(req: IncomingMessage, res: ServerResponse, answer: () => Promise<Answer>, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  // The browser's EventSource waits this long before reconnecting when the stream breaks.
  res.write(`retry: ${Math.min(everyMs, 3000)}\n\n`);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const send = async (): Promise<void> => {
    const { status, body } = await answer().catch((err: unknown) => ({ status: 500, body: { error: `the API failed: ${(err as Error).message}` } }));
    if (closed) return;
    res.write(`event: ${status === 200 ? 'update' : 'problem'}\ndata: ${JSON.stringify(body)}\n\n`);
    timer = setTimeout(() => void send(), everyMs);
  };
  req.socket.setTimeout(0);
  res.on('close', () => {
    closed = true;
    clearTimeout(timer);
  });
  void send();
}
