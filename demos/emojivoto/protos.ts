// The two gRPC services, loaded from their .proto files at run time.
import { loadProto, serviceAt } from '../lib/mesh-grpc.js';
import type { Emoji } from './emojis.js';

export const EmojiService = serviceAt(loadProto('./emoji.proto', import.meta.url), 'emojivoto.v1.EmojiService');
export const VotingService = serviceAt(loadProto('./voting.proto', import.meta.url), 'emojivoto.v1.VotingService');

export interface ListAllResponse {
  list: Emoji[];
}

export interface VotingResult {
  shortcode: string;
  votes: number;
}

export interface ResultsResponse {
  results: VotingResult[];
}
