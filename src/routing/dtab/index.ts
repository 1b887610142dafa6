export * from './types.js';
export { DtabParseError } from './errors.js';
export { parseDtab, parseDentry, parseNameTree, parsePath, readDtab } from './parser.js';
export { dtabToString, dentryToString, nameTreeToString, pathToString, treeToString, weightToString } from './printer.js';
export { leaves, mapLeaves, matchPrefix, simplify } from './tree.js';
export { resolve, type ResolveOptions, type Resolution } from './resolver.js';
export { pickBound, type Pick, type PickOptions } from './picker.js';
export { applyDtabOverride, DTAB_HEADERS, MAX_OVERRIDE_LENGTH } from './override.js';
export { formatTrace, type TraceStep } from './trace.js';
