// Every shape, in the order they run and print.
import { direct } from './direct.mjs';
import { loom1hop, loom2hop } from './loom.mjs';
import { haproxy1hop, haproxy2hop } from './haproxy.mjs';
import { nginx1hop } from './nginx.mjs';

export const SHAPES = [direct, loom1hop, loom2hop, haproxy1hop, haproxy2hop, nginx1hop];
