// Renders voting.proto from the emoji list: one Vote<Name> RPC per emoji, plus Results.
// `node --import tsx demos/emojivoto/voting-proto.ts` rewrites the file; a test keeps it current.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EMOJIS, voteMethod, type Emoji } from './emojis.js';

export const VOTING_PROTO = fileURLToPath(new URL('./voting.proto', import.meta.url));

export function renderVotingProto(emojis: readonly Emoji[]): string {
  const rpcs = emojis.map((e) => `  rpc ${voteMethod(e.shortcode)}(VoteRequest) returns (VoteResponse);`);
  return `// Generated from emojis.ts by voting-proto.ts; edit those, then run
// node --import tsx demos/emojivoto/voting-proto.ts
syntax = "proto3";

package emojivoto.v1;

message VoteRequest {}

message VoteResponse {}

message ResultsRequest {}

message VotingResult {
  string shortcode = 1;
  int32 votes = 2;
}

message ResultsResponse {
  // Sorted by votes, most first.
  repeated VotingResult results = 1;
}

service VotingService {
${rpcs.join('\n')}
  rpc Results(ResultsRequest) returns (ResultsResponse);
}
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(VOTING_PROTO, renderVotingProto(EMOJIS));
  console.log(`wrote ${VOTING_PROTO}`);
}
