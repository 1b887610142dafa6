// Every shape, in the order they run and print.
import { direct } from './direct.mjs';
import { loom1hop, loom2hop } from './loom.mjs';
import { loom2hopMtls } from './loom-mtls.mjs';
import { loom2hopMtlsObserved } from './loom-mtls-observed.mjs';
import { haproxy1hop, haproxy2hop } from './haproxy.mjs';
import { haproxy2hopMtls } from './haproxy-mtls.mjs';
import { nginx1hop } from './nginx.mjs';

export const SHAPES = [direct, loom1hop, loom2hop, loom2hopMtls, loom2hopMtlsObserved, haproxy1hop, haproxy2hop, haproxy2hopMtls, nginx1hop];
