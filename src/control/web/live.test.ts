import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamAnswers, wantsEventStream, type Answer } from './live.js';

/** A server streaming `answers` in turn (the last repeats), and how many times it was asked. */
async function serve(answers: Answer[]): Promise<{ url: string; asked: () => number; close: () => Promise<void> }> {
  let asked = 0;
  const server = http.createServer((req, res) => {
    assert.ok(wantsEventStream(req));
    streamAnswers(req, res, async () => answers[Math.min(asked++, answers.length - 1)] as Answer, 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/stat`,
    asked: () => asked,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Reads server-sent events until `count` have arrived, then hangs up. */
async function events(url: string, count: number): Promise<{ event: string; data: unknown }[]> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const out: { event: string; data: unknown }[] = [];
  let text = '';
  while (out.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
      const frame = text.slice(0, end);
      text = text.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event !== undefined && data !== undefined) out.push({ event, data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return out;
}

test('a live answer is sent again every interval; an error goes out as a problem and the stream goes on', async () => {
  const server = await serve([{ status: 200, body: { n: 1 } }, { status: 404, body: { error: 'no deploy/x' } }, { status: 200, body: { n: 3 } }]);
  try {
    assert.deepEqual(await events(server.url, 3), [
      { event: 'update', data: { n: 1 } },
      { event: 'problem', data: { error: 'no deploy/x' } },
      { event: 'update', data: { n: 3 } },
    ]);
  } finally {
    await server.close();
  }
});

test('once the browser goes away, the answer is no longer computed', async () => {
  const server = await serve([{ status: 200, body: {} }]);
  try {
    await events(server.url, 1);
    await new Promise((r) => setTimeout(r, 60));
    const after = server.asked();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.asked(), after);
  } finally {
    await server.close();
  }
});
