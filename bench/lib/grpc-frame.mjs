// gRPC length-prefixed messages: 1 byte compressed flag, 4 bytes big-endian length, the message.

/** A tiny protobuf message: field 1 (string) = text. Enough to look like a real unary call. */
export function helloMessage(text) {
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, body.length]), body]);
}

export function frame(message) {
  const head = Buffer.alloc(5);
  head.writeUInt8(0, 0);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

export const REQUEST = frame(helloMessage('bench'));
export const REPLY = frame(helloMessage('hello bench'));
